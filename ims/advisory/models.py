from django.db import models
from django.utils.translation import gettext_lazy as _


class Committee(models.Model):
    """A factory's worker-management committee (PICC in Cambodia)."""

    factory = models.ForeignKey(
        "factories.Factory", verbose_name=_("factory"), on_delete=models.CASCADE, related_name="committees"
    )
    formed_on = models.DateField(_("formed on"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["factory", "-formed_on"]
        verbose_name = _("worker-management committee")
        verbose_name_plural = _("worker-management committees")

    def __str__(self):
        return f"{self.factory} ({self.formed_on})"
