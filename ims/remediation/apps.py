from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemediationConfig(AppConfig):
    name = "ims.remediation"
    verbose_name = _("Remediation")
