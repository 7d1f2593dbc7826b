from django.contrib import admin
from modeltranslation.admin import TabbedTranslationAdmin

from ims.goodpractice.models import GoodPracticeSheet


@admin.register(GoodPracticeSheet)
class GoodPracticeSheetAdmin(TabbedTranslationAdmin):
    list_display = ["slug", "title", "updated_at"]
    search_fields = ["slug", "title_en", "title_km", "title_zh_hans"]
