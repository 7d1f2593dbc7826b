from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class AccessGrant(models.Model):
    """A factory lets a buyer organisation read its detailed reports, until revoked or expired.

    Whether a grant is in force is decided by ims.policy (grants_in_force), on every request.
    """

    factory = models.ForeignKey(
        "factories.Factory", verbose_name=_("factory"), on_delete=models.CASCADE, related_name="access_grants"
    )
    buyer = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("buyer"),
        on_delete=models.CASCADE,
        related_name="access_grants",
        limit_choices_to={"kind": "buyer"},
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("granted by"), on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-granted_at"]
        verbose_name = _("access grant")
        verbose_name_plural = _("access grants")
        constraints = [
            models.UniqueConstraint(
                fields=["factory", "buyer"], condition=Q(revoked_at__isnull=True), name="one_open_grant_per_buyer"
            )
        ]

    def __str__(self):
        return f"{self.factory} -> {self.buyer}"
