"""What every API view shares: error shape, live throttles, idempotent writes, paging, the policy."""

from functools import cache

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema_field
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import PageNumberPagination

from ims.api.errors import handle_api_exception
from ims.api.idempotency import KEY_HEADER, IdempotentWrites
from ims.api.throttling import AnonRateThrottle, UserRateThrottle
from ims.policy.guards import FollowsPolicy


class Pages(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class ApiView(IdempotentWrites, GenericAPIView):
    """Each view declares `policy_actions` ({"GET": action, ...}): ims.policy decides who may call it."""

    throttle_classes = [AnonRateThrottle, UserRateThrottle]
    permission_classes = [FollowsPolicy]
    pagination_class: type[Pages] | None = Pages

    def get_exception_handler(self):
        return handle_api_exception

    def respond_with_page(self, queryset, serializer_class):
        page = self.paginate_queryset(queryset)
        serializer = serializer_class(page, many=True, context=self.get_serializer_context())
        return self.get_paginated_response(serializer.data)

    def validated(self, serializer_class, **kwargs):
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context(), **kwargs)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


# OpenAPI documentation shared by the views.


class ErrorSerializer(serializers.Serializer):
    error = serializers.CharField(help_text="Stable code, e.g. not_found, invalid, conflict, not_allowed.")
    message = serializers.CharField(help_text="Explanation for people, in the request's language.")
    details = serializers.DictField(help_text="Field errors or the state a conflict was checked against.")


@cache
def _named_choice_class(component_name, values):
    # Annotated on a class, since DRF rebuilds field instances (dropping instance attributes);
    # one class per name, since the schema generator tells components apart by identity.
    field_class = type(f"{component_name}Field", (serializers.ChoiceField,), {})
    return extend_schema_field({"type": "string", "enum": list(values)}, component_name=component_name)(field_class)


def named_choice_field(component_name, choices, **kwargs):
    """A ChoiceField whose choice set has one name in the schema: assessments, objections and
    actions each call theirs "status", which would otherwise get generated names."""
    values = tuple(value for value, _label in choices)
    return _named_choice_class(component_name, values)(choices, **kwargs)


def language_field(**kwargs):
    return named_choice_field("Language", settings.LANGUAGES, **kwargs)


def errors(*statuses):
    descriptions = {
        400: "invalid input",
        401: "not signed in",
        403: "visible but not yours to change",
        404: "unknown or not visible to you",
        409: "conflicts with the current state",
        413: "too large",
        422: "Idempotency-Key reused for a different request",
    }
    return {code: OpenApiResponse(ErrorSerializer, description=descriptions[code]) for code in statuses}


IDEMPOTENCY_KEY = OpenApiParameter(
    KEY_HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Optional. A retry with the same key and request replays the first answer; "
    "the same key with another request is refused with 422. Keys expire after 24 hours.",
)
WRITE_ERRORS = (400, 401, 403, 404, 409, 422)
