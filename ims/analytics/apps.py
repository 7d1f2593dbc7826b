from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "ims.analytics"
    verbose_name = _("Industry analytics")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from ims.advisory.models import Committee
        from ims.analytics.models import ClassificationRule
        from ims.analytics.tasks import on_report_published, on_standing_input_changed
        from ims.assessments.publishing import report_published

        report_published.connect(on_report_published, dispatch_uid="analytics.on_report_published")
        # A committee or the rule decides which factories the public lists name.
        for model in (Committee, ClassificationRule):
            for change, signal in (("saved", post_save), ("deleted", post_delete)):
                uid = f"analytics.standing.{model.__name__}.{change}"
                signal.connect(on_standing_input_changed, sender=model, dispatch_uid=uid)
