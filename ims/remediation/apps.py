from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemediationConfig(AppConfig):
    name = "ims.remediation"
    verbose_name = _("Remediation")

    def ready(self):
        from ims.assessments.publishing import report_published
        from ims.remediation.tasks import on_report_published

        report_published.connect(on_report_published, dispatch_uid="remediation.on_report_published")
