from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResponsesConfig(AppConfig):
    name = "ims.responses"
    verbose_name = _("Factory responses")
