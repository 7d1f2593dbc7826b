from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class IdempotencyRecord(models.Model):
    """A write sent with an Idempotency-Key and the answer it got, so a retry replays that answer.

    The request is identified by method, path and a SHA-256 of its body; the same key with another
    request is refused. Records expire after a day (``manage.py purge_idempotency_records``).
    """

    key = models.CharField(_("key"), max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    method = models.CharField(_("method"), max_length=10)
    path = models.CharField(_("path"), max_length=1000)
    request_sha256 = models.CharField(_("request SHA-256"), max_length=64)
    # Empty while the first request is still running.
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    response_body = models.JSONField(_("response body"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="one_idempotency_record_per_user_key")]

    def __str__(self):
        return f"{self.user_id} {self.key}"

    def matches(self, method, path, request_sha256):
        return (self.method, self.path, self.request_sha256) == (method, path, request_sha256)
