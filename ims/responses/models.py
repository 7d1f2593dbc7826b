from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ims.core.action_items import ActionItem


class Objection(models.Model):
    """A factory disputes a published finding; the programme head upholds or revises it."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        UPHELD = "upheld", _("Finding upheld")
        REVISED = "revised", _("Finding revised")

    finding = models.ForeignKey(
        "assessments.Finding", verbose_name=_("finding"), on_delete=models.PROTECT, related_name="objections"
    )
    revision = models.ForeignKey(
        "assessments.ReportRevision",
        verbose_name=_("report revision"),
        on_delete=models.PROTECT,
        related_name="objections",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("objection"))
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    ruling = models.TextField(_("ruling"), blank=True)
    ruled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("ruled by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    ruled_at = models.DateTimeField(_("ruled at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        constraints = [
            models.UniqueConstraint(
                fields=["finding"], condition=models.Q(status="open"), name="one_open_objection_per_finding"
            )
        ]

    def __str__(self):
        return f"{self.finding}: {self.get_status_display()}"


class ActionPlanItem(ActionItem):
    """One corrective action a factory commits to for a non-compliance."""

    finding = models.ForeignKey(
        "assessments.Finding", verbose_name=_("finding"), on_delete=models.PROTECT, related_name="action_items"
    )
    action = models.TextField(_("action"))
    due_date = models.DateField(_("due date"))
    row_version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")

    def __str__(self):
        return self.action[:60]


class ProgressNote(models.Model):
    item = models.ForeignKey(ActionPlanItem, verbose_name=_("action"), on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("progress note"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("progress note")
        verbose_name_plural = _("progress notes")

    def __str__(self):
        return self.text[:60]
