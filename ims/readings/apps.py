from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReadingsConfig(AppConfig):
    name = "ims.readings"
    verbose_name = _("Remote readings")
