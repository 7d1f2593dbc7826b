from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdvisoryConfig(AppConfig):
    name = "ims.advisory"
    verbose_name = _("Advisory services")
