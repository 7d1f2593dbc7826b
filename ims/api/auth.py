"""Tokens for integrations: email and password in, a new token out (sent as "Authorization: Token <key>")."""

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from ims.api.base import ApiView, errors
from ims.api.models import ApiToken
from ims.core.errors import Invalid


class WrongCredentials(Invalid):
    code = "invalid_credentials"


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


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
        _token, key = ApiToken.objects.issue(user)
        return Response({"token": key})
