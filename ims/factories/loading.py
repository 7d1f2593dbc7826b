import json

from django.db import transaction

from ims.factories.models import District, Province


@transaction.atomic
def load_geography(path):
    """Create or update provinces and districts from the gazetteer file; return how many were written."""
    written = 0
    for province_data in json.loads(path.read_text(encoding="utf-8"))["provinces"]:
        code = province_data["code"]
        province = Province.objects.filter(code=code).first() or Province(code=code)
        if province.update_content({"name": province_data["name"]}, province_data["translation_status"]):
            province.save()
            written += 1
        for district_data in province_data["districts"]:
            code = district_data["code"]
            district = District.objects.filter(code=code).first() or District(code=code)
            if district.update_content(
                {"name": district_data["name"]}, district_data["translation_status"], province_id=province.pk
            ):
                district.save()
                written += 1
    return written
