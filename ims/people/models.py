"""Who comes in and who asks to read: invitations to open an account, and buyers' requests for access to a
factory's reports."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ims.accounts.models import Organisation, Role, User
from ims.notifications.models import OutboxRecord


class Invitation(OutboxRecord):
    """An invitation to open an account with a role in an organisation, emailed with a signed, single-use,
    expiring link (ims.people.invitations); the row is the email's outbox record too."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    email = models.EmailField(_("email address"))
    full_name = models.CharField(_("full name"), max_length=200)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="en")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="invitations"
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    invited_by = models.ForeignKey(
        User, verbose_name=_("invited by"), on_delete=models.PROTECT, related_name="invitations_sent"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self):
        return f"{self.email} → {self.get_role_display()} ({self.organisation})"


class AccessRequest(models.Model):
    """A buyer asking a factory to read its detailed reports; the factory's managers grant or decline
    (granting makes an access grant, ims.responses.grants)."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("Waiting for the factory")
        GRANTED = "granted", _("Granted")
        DECLINED = "declined", _("Declined")

    factory = models.ForeignKey(
        "factories.Factory", verbose_name=_("factory"), on_delete=models.CASCADE, related_name="access_requests"
    )
    buyer = models.ForeignKey(
        Organisation, verbose_name=_("buyer"), on_delete=models.CASCADE, related_name="access_requests"
    )
    requested_by = models.ForeignKey(User, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+")
    message = models.TextField(_("message"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(
        User, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("access request")
        verbose_name_plural = _("access requests")
        constraints = [
            models.UniqueConstraint(
                fields=["factory", "buyer"], condition=models.Q(decision="pending"), name="one_pending_access_request"
            )
        ]

    def __str__(self):
        return f"{self.buyer} → {self.factory} ({self.decision})"
