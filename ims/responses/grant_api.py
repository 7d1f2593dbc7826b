"""Buyer access: a factory's managers grant a buyer organisation its detailed reports, and revoke it."""

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response

from ims import policy
from ims.accounts.models import Organisation
from ims.api.base import IDEMPOTENCY_KEY, WRITE_ERRORS, ApiView, errors
from ims.api.fields import AsciiDateTimeField
from ims.assessments.api import FactoryRefSerializer
from ims.core.numbers import record_id
from ims.factories.models import Factory
from ims.grants.models import AccessGrant
from ims.responses.grants import grant_access, revoke_access


class BuyerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name"]


class GrantSerializer(serializers.ModelSerializer):
    factory = FactoryRefSerializer(read_only=True)
    buyer = BuyerSerializer(read_only=True)
    granted_by = serializers.CharField(source="granted_by.full_name")
    is_active = serializers.SerializerMethodField(help_text="In force now: not revoked, not expired.")

    class Meta:
        model = AccessGrant
        fields = ["id", "factory", "buyer", "granted_by", "granted_at", "expires_at", "revoked_at", "is_active"]

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_is_active(self, grant):
        return policy.grant_is_in_force(grant)


class GrantRequestSerializer(serializers.Serializer):
    buyer = serializers.CharField(help_text="The buyer organisation's id or name.")
    factory = serializers.CharField(
        required=False, help_text="Factory reference; may be left out by a manager of a single factory."
    )
    expires_at = AsciiDateTimeField(required=False, allow_null=True, default=None)

    def validate_buyer(self, value):
        value = value.strip()
        number = record_id(value)  # ASCII digits: "٣" and "²" pass str.isdigit()
        lookup = Q(name__iexact=value) | (Q(pk=number) if number is not None else Q())
        organisation = Organisation.objects.filter(lookup).first()
        if organisation is None:
            raise serializers.ValidationError(_("No organisation is called or numbered %(buyer)s.") % {"buyer": value})
        return organisation

    def validate(self, values):
        user = self.context["request"].user
        if values.get("factory"):
            factory = Factory.objects.filter(ref=values["factory"]).first()
            if factory is None:
                raise serializers.ValidationError({"factory": _("No factory has this reference.")})
        else:
            own = policy.scope(user, "grant.manage", Factory.objects)
            if own.count() != 1:
                raise serializers.ValidationError({"factory": _("Name the factory by its reference.")})
            factory = own.get()
        return {**values, "factory": factory}


def scoped_grants(user):
    """The programme sees every grant; a factory its own; a buyer those in force for it now."""
    return policy.scope(user, "grant.read", AccessGrant.objects.select_related("factory", "buyer", "granted_by"))


class GrantListView(ApiView):
    """Access grants you may see: the programme all, a factory its own, a buyer those made to it."""

    serializer_class = GrantSerializer
    policy_actions = {"GET": "account.use", "POST": "grant.manage"}

    @extend_schema(responses={200: GrantSerializer(many=True), **errors(401)})
    def get(self, request):
        return self.respond_with_page(scoped_grants(request.user), GrantSerializer)

    @extend_schema(
        request=GrantRequestSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: GrantSerializer, **errors(*WRITE_ERRORS)},
        description="Granting a buyer that already has access only changes the expiry.",
    )
    def post(self, request):
        values = self.validated(GrantRequestSerializer)
        grant = grant_access(values["factory"], values["buyer"], request.user, expires_at=values["expires_at"])
        return Response(GrantSerializer(scoped_grants(request.user).get(pk=grant.pk)).data,
                        status=status.HTTP_201_CREATED)  # fmt: skip


class GrantView(ApiView):
    """One access grant."""

    serializer_class = GrantSerializer
    policy_actions = {"GET": "grant.read"}

    @extend_schema(responses={200: GrantSerializer, **errors(401, 404)})
    def get(self, request, pk):
        return Response(GrantSerializer(get_object_or_404(scoped_grants(request.user), pk=pk)).data)


class RevokeView(ApiView):
    """Revoke an access grant."""

    serializer_class = GrantSerializer
    policy_actions = {"POST": "grant.manage"}

    @extend_schema(
        request=None,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: GrantSerializer, **errors(401, 403, 404, 409, 422)},
        description="The buyer loses access at once.",
    )
    def post(self, request, pk):
        grant = get_object_or_404(scoped_grants(request.user), pk=pk)
        revoke_access(grant, request.user)
        return Response(GrantSerializer(scoped_grants(request.user).get(pk=pk)).data)
