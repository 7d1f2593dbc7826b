from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "ims.notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from ims.assessments.publishing import report_published
        from ims.notifications.tasks import on_report_published

        report_published.connect(on_report_published, dispatch_uid="notifications.on_report_published")
