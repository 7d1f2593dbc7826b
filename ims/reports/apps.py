from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "ims.reports"
    verbose_name = _("Report documents")

    def ready(self):
        from ims.assessments.publishing import report_published
        from ims.reports.models import NoteTranslation
        from ims.reports.tasks import on_report_published, on_response_saved
        from ims.responses.models import ActionPlanItem, Objection, ProgressNote

        report_published.connect(on_report_published, dispatch_uid="reports.on_report_published")
        for model in (Objection, ActionPlanItem, ProgressNote, NoteTranslation):
            post_save.connect(on_response_saved, sender=model, dispatch_uid=f"reports.rerender.{model.__name__}")
