"""How API requests authenticate: DRF's token header, checked against stored digests (ims.api.models.ApiToken).

Kept apart from the API views: DRF imports this module from its settings, before any view exists.
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from ims.api.models import ApiToken

# Recording every use would write on every request; a minute is precise enough to spot stale tokens.
LAST_USED_PRECISION = datetime.timedelta(minutes=1)


class HashedTokenAuthentication(TokenAuthentication):
    """DRF's token header, checked against the stored digests of ApiToken."""

    def authenticate_credentials(self, key):
        token = ApiToken.objects.for_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if token.has_expired:
            raise exceptions.AuthenticationFailed(_("This token has expired: ask for a new one."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token
