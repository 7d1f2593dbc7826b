from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from ims.factories.models import Contact, District, Factory, Province, WorkforceSnapshot


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


class WorkforceInline(admin.TabularInline):
    model = WorkforceSnapshot
    extra = 0


@admin.register(Factory)
class FactoryAdmin(admin.ModelAdmin):
    list_display = ["ref", "name_en", "name_km", "name_zh", "sector", "province", "status"]
    list_filter = ["sector", "status", "province"]
    search_fields = ["ref", "name_en", "name_km", "name_zh", "registration_no", "export_licence_no"]
    inlines = [ContactInline, WorkforceInline]


@admin.register(Province)
class ProvinceAdmin(TranslationAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name_en", "name_km", "name_zh_hans"]


@admin.register(District)
class DistrictAdmin(TranslationAdmin):
    list_display = ["code", "name", "province"]
    list_filter = ["province"]
    search_fields = ["code", "name_en", "name_km", "name_zh_hans"]
