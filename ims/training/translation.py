from ims.core.translated import register_translated
from ims.training.models import TrainingModule, TrainingProgramme

register_translated(TrainingProgramme, TrainingModule)
