from django.db import transaction

from ims.goodpractice.content import read_good_practice_sheets
from ims.goodpractice.models import GoodPracticeSheet


@transaction.atomic
def load_sheets(directory):
    """Create or update every sheet from its file; return how many were written."""
    written = 0
    for data in read_good_practice_sheets(directory):
        sheet = GoodPracticeSheet.objects.filter(slug=data["slug"]).first() or GoodPracticeSheet(slug=data["slug"])
        texts = {name: data[name] for name in GoodPracticeSheet.translated_fields}
        if sheet.update_content(texts, data["translation_status"]):
            sheet.save()
            written += 1
    return written
