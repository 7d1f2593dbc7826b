"""What remediation tracking keeps beside the factory's action plan (ims.responses): the verification of
each non-compliance at a later visit, and the reminders sent about overdue actions."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ims.notifications.models import OutboxRecord


class Outcome(models.TextChoices):
    REMEDIATED = "remediated", _("Remediated")
    PERSISTENT = "persistent", _("Persistent")


class Verification(models.Model):
    """A non-compliant finding as found again at the first later published visit that assessed its question.

    Derived data: ims.remediation.verification rebuilds it from the published snapshots whenever a
    report of the factory is published, so it never disagrees with the reports."""

    finding = models.OneToOneField(
        "assessments.Finding", verbose_name=_("finding"), on_delete=models.CASCADE, related_name="verification"
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    verified_at_visit = models.ForeignKey(
        "assessments.Assessment", verbose_name=_("verified at the visit"), on_delete=models.CASCADE, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("verification")
        verbose_name_plural = _("verifications")

    def __str__(self):
        return f"{self.finding_id}: {self.outcome}"


class PublicTimeToFix(models.Model):
    """Per year and publicly reported issue: how many findings a later visit verified remediated, and the median
    days from the finding to that visit. Derived from the verifications (ims.remediation.time_to_fix) whenever
    they change, so the public pages read a few rows, never the findings."""

    year = models.PositiveSmallIntegerField()
    question = models.CharField(max_length=20)
    remediated = models.PositiveIntegerField()
    median_days = models.FloatField()

    class Meta:
        ordering = ["year", "question"]
        constraints = [models.UniqueConstraint(fields=["year", "question"], name="one_time_to_fix_per_year_question")]

    def __str__(self):
        return f"{self.year} {self.question}: {self.median_days}"


class Reminder(OutboxRecord):
    """One overdue action named in a reminder email to one contact on one day: at most one such email a day."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    item = models.ForeignKey(
        "responses.ActionPlanItem", verbose_name=_("corrective action"), on_delete=models.CASCADE,
        related_name="reminders",
    )  # fmt: skip
    contact = models.ForeignKey(
        "factories.Contact", verbose_name=_("contact"), on_delete=models.CASCADE, related_name="remediation_reminders"
    )
    sent_on = models.DateField(_("day"))
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)

    class Meta:
        ordering = ["-sent_on", "pk"]
        verbose_name = _("remediation reminder")
        verbose_name_plural = _("remediation reminders")
        constraints = [
            models.UniqueConstraint(fields=["item", "contact", "sent_on"], name="one_reminder_per_item_contact_day")
        ]

    def __str__(self):
        return f"{self.item_id} → {self.contact} ({self.sent_on}, {self.status})"
