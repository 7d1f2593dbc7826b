from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "ims.reports"
    verbose_name = _("Report documents")

    def ready(self):
        from ims.assessments.publishing import report_published
        from ims.reports.tasks import on_report_published

        report_published.connect(on_report_published, dispatch_uid="reports.on_report_published")
