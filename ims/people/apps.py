from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "ims.people"
    verbose_name = _("People")

    def ready(self):
        from django.db.models.signals import post_save

        from ims.assessments.publishing import report_published
        from ims.audit.models import AuditEvent
        from ims.people.tasks import on_audit_event, on_report_published

        report_published.connect(on_report_published, dispatch_uid="people.on_report_published")
        post_save.connect(on_audit_event, sender=AuditEvent, dispatch_uid="people.on_audit_event")
