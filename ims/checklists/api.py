"""The public checklist API: any version as one JSON document in the shared format (ims.checklists.exchange)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from ims.api.base import ApiView, errors
from ims.checklists.exchange import export_version
from ims.checklists.models import ChecklistVersion


class ChecklistVersionView(ApiView):
    """Public like the checklist's pages; the same document for everyone, so no session is read."""

    policy_actions = {"GET": "public.read"}
    authentication_classes: list[type] = []

    @extend_schema(
        tags=["checklists"],
        summary="A checklist version in the shared JSON format",
        operation_id="public_checklist_version",
        responses={200: OpenApiTypes.OBJECT, **errors(404)},
    )
    def get(self, request, version):
        return Response(export_version(get_object_or_404(ChecklistVersion, code=version)))
