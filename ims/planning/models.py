"""The low-compliance process: a factory on the low-compliance list gets a tracked case.

As the programme's annual report describes it: a joint visit with officials of the ministries and the
manufacturers' association, then two months for the factory to improve, then an outcome.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LowComplianceCase(models.Model):
    class Outcome(models.TextChoices):
        OPEN = "open", _("Open")
        IMPROVED = "improved", _("Improved: off the list")
        NOT_IMPROVED = "not_improved", _("Not improved: referred to the authorities")

    factory = models.ForeignKey(
        "factories.Factory", verbose_name=_("factory"), on_delete=models.PROTECT, related_name="low_compliance_cases"
    )
    opened_on = models.DateField(_("opened on"))
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    joint_visit_on = models.DateField(_("joint visit"), null=True, blank=True)
    officials = models.CharField(_("officials at the joint visit"), max_length=300, blank=True)
    window_ends_on = models.DateField(_("improvement window ends"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, default=Outcome.OPEN)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_on", "-pk"]
        verbose_name = _("low-compliance case")
        verbose_name_plural = _("low-compliance cases")
        constraints = [
            models.UniqueConstraint(
                fields=["factory"], condition=models.Q(outcome="open"), name="one_open_case_per_factory"
            )
        ]

    def __str__(self):
        return f"{self.factory_id} {self.opened_on} ({self.outcome})"
