from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """Who did what, when: written by the domain services that change state, never edited."""

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("action"), max_length=60, db_index=True)
    factory = models.ForeignKey(
        "factories.Factory", verbose_name=_("factory"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(_("object id"), max_length=60)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Audit events are never changed.")
        super().save(*args, **kwargs)


def event(actor, action, obj, *, factory=None, **details):
    """One event, not saved yet: record() saves it, record_all() saves many with one query."""
    return AuditEvent(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        factory=factory,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        details=details,
    )


def record(actor, action, obj, *, factory=None, **details):
    """Append one event; call it inside the transaction that makes the change."""
    recorded = event(actor, action, obj, factory=factory, **details)
    recorded.save()
    return recorded


def record_all(events):
    """Append many events at once (see event()); inside the transaction that makes the changes."""
    return AuditEvent.objects.bulk_create(events)
