import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
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


class ApiTokenQuerySet(models.QuerySet):
    def issue(self, user):
        """A new token for `user`; returns (ApiToken, key). Only a digest of the key is stored."""
        key = secrets.token_urlsafe(32)
        return self.create(user=user, digest=digest(key), prefix=key[:8]), key

    def for_key(self, key):
        return self.select_related("user").filter(digest=digest(key)).first()


def expiry_of_a_new_token():
    """A token lasts IMS_API_TOKEN_DAYS: a forgotten one stops opening the API by itself."""
    return timezone.now() + timezone.timedelta(days=settings.IMS_API_TOKEN_DAYS)


def digest(key):
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """A key an integration sends as "Authorization: Token <key>". The key is shown once, when issued;
    the database keeps its SHA-256 only, so a leaked database copy does not open the API.

    A token expires (expires_at), and is revoked (deleted) by its owner on the account's token page, by an
    administrator, or by any change of its owner's password (ims.accounts.models.User.save)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    digest = models.CharField(_("SHA-256 of the key"), max_length=64, unique=True)
    prefix = models.CharField(_("first characters of the key"), max_length=8)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), default=expiry_of_a_new_token)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.user} {self.prefix}…"

    @property
    def has_expired(self):
        return timezone.now() >= self.expires_at
