from ims.core.translated import register_translated
from ims.factories.models import District, Province

register_translated(Province, District)
