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


class Notice(OutboxRecord):
    """Telling one user of one event: listed in the app, and emailed at once or in the day's digest.

    One row per event and recipient (event_key names the event: the audit event, the revision, the day), so
    an event is never told twice; the row is also the email's outbox record (ims.notifications.outbox).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notices"
    )
    event = models.CharField(_("event"), max_length=30)
    event_key = models.CharField(_("event key"), max_length=100)
    factory = models.ForeignKey(
        "factories.Factory", verbose_name=_("factory"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="+",
    )  # fmt: skip
    # What the text says and where it links, kept language-free: each reader gets them in their language.
    params = models.JSONField(_("details"), default=dict, blank=True)
    link_name = models.CharField(_("link"), max_length=60)
    link_kwargs = models.JSONField(_("link arguments"), default=dict, blank=True)
    digest = models.BooleanField(_("in the daily digest"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "event", "event_key"], name="one_notice_per_event_recipient")
        ]
        indexes = [models.Index(fields=["recipient", "read_at"]), models.Index(fields=["status", "digest"])]

    def __str__(self):
        return f"{self.event} {self.event_key} → {self.recipient}"
