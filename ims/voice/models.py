"""Worker voice: campaigns at a factory, the anonymous answers workers give, and grievance alerts.

What is stored of a worker: the answers (yes or no per survey question), the factory, the day and, for
SMS/voice/chat, a salted hash of the RapidPro contact so that one worker counts once. Never a phone
number, a name or free text.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ims.notifications.models import OutboxRecord
from ims.voice.grievances import LABELS
from ims.voice.questions import ANSWERS, QUESTIONS


class Campaign(models.Model):
    """Asking a factory's workers the survey questions over a period, by SMS/voice/chat and on the web."""

    factory = models.ForeignKey(
        "factories.Factory", verbose_name=_("factory"), on_delete=models.PROTECT, related_name="voice_campaigns"
    )
    code = models.CharField(_("code"), max_length=12, unique=True)  # in the short link and the webhook URL
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    # sha256 of the webhook secret (shown once, when the campaign is created) and the salt of contact hashes.
    secret_digest = models.CharField(max_length=64, editable=False)
    contact_salt = models.CharField(max_length=64, editable=False)
    rapidpro_flow = models.UUIDField(_("RapidPro flow"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("worker voice campaign")
        verbose_name_plural = _("worker voice campaigns")

    def __str__(self):
        return f"{self.code} ({self.factory_id})"


class AnswerCard(models.Model):
    """A one-time token for the web survey, printed as a QR code and a short link: one answer set each."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="cards")
    token_digest = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.campaign_id}: {'used' if self.used_at else 'unused'}"


class Response(models.Model):
    """One worker's answer set in a campaign."""

    class Channel(models.TextChoices):
        RAPIDPRO = "rapidpro", _("SMS, voice or chat")
        WEB = "web", _("Web survey")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="responses")
    factory = models.ForeignKey("factories.Factory", on_delete=models.PROTECT, related_name="+")
    answered_on = models.DateField()
    channel = models.CharField(max_length=10, choices=Channel.choices)
    # HMAC-SHA256 of the RapidPro contact UUID with the campaign's salt; empty for a web answer set.
    contact_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "contact_hash"],
                condition=~models.Q(contact_hash=""),
                name="one_response_per_contact",
            )
        ]

    def __str__(self):
        return f"{self.campaign_id} {self.answered_on}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.CharField(max_length=40, choices=[(question.key, question.text) for question in QUESTIONS])
    value = models.CharField(max_length=3, choices=[(answer, answer) for answer in ANSWERS])

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="one_answer_per_question")]

    def __str__(self):
        return f"{self.question}={self.value}"


class Alert(models.Model):
    """Grievance words found in a worker's free text: the kinds only, never the text."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="alerts")
    factory = models.ForeignKey("factories.Factory", on_delete=models.PROTECT, related_name="+")
    kinds = models.JSONField(default=list)  # keys of ims.voice.grievances.LABELS
    raised_at = models.DateTimeField(auto_now_add=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-raised_at", "-pk"]

    def __str__(self):
        return f"{self.factory_id}: {', '.join(self.kinds)}"

    def kind_labels(self):
        return [LABELS[kind] for kind in self.kinds if kind in LABELS]


class AlertEmail(OutboxRecord):
    """The email telling one programme head about an alert (the outbox sends it once)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="emails")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["alert", "recipient"], name="one_alert_email_per_recipient")]

    def __str__(self):
        return f"{self.alert_id} → {self.recipient_id} ({self.status})"
