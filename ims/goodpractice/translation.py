from ims.core.translated import register_translated
from ims.goodpractice.models import GoodPracticeSheet

register_translated(GoodPracticeSheet)
