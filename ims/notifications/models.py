from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxRecord(models.Model):
    """The claim fields of an outbox row (ims.notifications.outbox); the model keeps its own status
    (queued, sent, failed, ...)."""

    claim = models.UUIDField(null=True, blank=True, editable=False)
    sending_since = models.DateTimeField(_("sending since"), null=True, blank=True, editable=False)
    # The worker process sending it: when its heartbeat stops, the claim is void.
    sending_by = models.CharField(_("sending process"), max_length=64, blank=True, editable=False)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    error = models.TextField(_("error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        abstract = True


class Notification(OutboxRecord):
    """Telling one factory contact that a report revision is published, by email or by post."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        PAPER = "paper", _("Paper copy")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        POSTED = "posted", _("Posted")

    revision = models.ForeignKey(
        "assessments.ReportRevision",
        verbose_name=_("report revision"),
        on_delete=models.PROTECT,
        related_name="notifications",
    )
    contact = models.ForeignKey(
        "factories.Contact", verbose_name=_("contact"), on_delete=models.CASCADE, related_name="notifications"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    posted_at = models.DateTimeField(_("posted at"), null=True, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("posted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["revision", "contact"], name="one_notification_per_revision_contact")
        ]
        indexes = [models.Index(fields=["channel", "status"])]

    def __str__(self):
        return f"{self.revision} → {self.contact} ({self.channel}, {self.status})"
