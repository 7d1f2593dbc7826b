"""Tokens for integrations: email and password in, a new token out (sent as "Authorization: Token <key>").

A token expires after IMS_API_TOKEN_DAYS and dies with any change of its owner's password; its owner lists
and revokes theirs on the account's token page."""

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import Throttled
from rest_framework.response import Response

from ims import policy
from ims.accounts import two_factor
from ims.api.base import ApiView, errors
from ims.api.models import ApiToken
from ims.core.errors import Invalid


class WrongCredentials(Invalid):
    code = "invalid_credentials"


class SecondFactorNeeded(Invalid):
    code = "second_factor_needed"


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})
    code = serializers.CharField(
        required=False, max_length=32, help_text="For accounts with two-factor authentication: the app's code."
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()


class TokenView(ApiView):
    """Exchange an email address and password for an API token."""

    authentication_classes: list[type] = []
    policy_actions = {"POST": "public.read"}

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenSerializer, **errors(400)}, auth=[])
    def post(self, request):
        credentials = self.validated(TokenRequestSerializer)
        user = authenticate(request._request, email=credentials["email"], password=credentials["password"])
        if user is None:
            raise WrongCredentials(_("The email address or password is wrong, or the account is inactive."))
        if policy.asks_for_second_factor(user):
            self._check_second_factor(request, user, credentials.get("code"))
        token, key = ApiToken.objects.issue(user)
        return Response(TokenSerializer({"token": key, "expires_at": token.expires_at}).data)

    def _check_second_factor(self, request, user, code):
        if not two_factor.is_enrolled(user):
            raise SecondFactorNeeded(_("Your account needs two-factor authentication: set it up on the website first."))
        try:
            # Asking without a code is how a client learns it needs one: not a failed attempt.
            device = two_factor.check_code(request._request, user, code) if code else None
        except two_factor.LockedOut:
            raise Throttled() from None
        if device is None:
            raise SecondFactorNeeded(
                _('This account uses two-factor authentication: send the code of the authenticator app as "code".')
            )
