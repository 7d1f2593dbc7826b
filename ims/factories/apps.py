from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FactoriesConfig(AppConfig):
    name = "ims.factories"
    verbose_name = _("Factory registry")
