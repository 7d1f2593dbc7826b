"""The capture app's API: the offline package, findings sync, resumable photo uploads, conflicts, ODK.

Under /api/v1/capture/. Session-authenticated for the tablet's own script (with the CSRF header) and
token-authenticated for other clients, with the API's error shape and Idempotency-Key support.
"""

import contextlib

from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.response import Response

from ims import policy
from ims.api.base import ApiView, errors
from ims.api.fields import WholeNumberField
from ims.capture import odk, uploads
from ims.capture.assessments import get_capture_assessment
from ims.capture.models import SubmissionReceipt, SyncConflict, UploadSession
from ims.capture.package import build_package, checklist_edition, checklist_file, checklist_url, conflict_state
from ims.capture.sync import Submission, apply_batch, apply_submission, finding_state, keep_theirs
from ims.capture.xlsform import build_xlsform, form_id
from ims.checklists.models import ChecklistVersion
from ims.core.errors import Invalid

MAX_BATCH = 500
OFFSET_HEADER = "Upload-Offset"


class RawBody(BaseParser):
    """Bodies read as bytes by the view itself (photo pieces, ODK XML)."""

    media_type = "*/*"

    def parse(self, stream, media_type=None, parser_context=None):
        return stream.read() if stream else b""


def result_json(result, minimal=False):
    """What happened to one submission; minimal: its identifiers and new row_version instead of the whole finding
    (a refused one still says why, and a conflict still carries both versions for the monitor to choose)."""
    body = {
        "client_uuid": str(result.submission.client_uuid) if result.submission else None,
        "question": result.submission.question if result.submission else None,
        "status": result.status,
    }
    if minimal:
        body["row_version"] = result.finding.row_version if result.finding else None
        if result.status >= 400:
            body["message"] = result.message
    else:
        body.update(outcome=result.outcome, message=result.message, finding=finding_state(result.finding) or None)
    if result.conflict is not None:
        body["conflict"] = conflict_state(result.conflict)
    if result.details:
        body["details"] = result.details
    return body


def wants_minimal(request):
    """RFC 7240's `Prefer: return=minimal`: the client keeps what it sent and needs only ids and versions back."""
    preferences = {part.strip().lower() for part in request.headers.get("Prefer", "").split(",")}
    return "return=minimal" in preferences


MINIMAL = OpenApiParameter(
    "Prefer", OpenApiTypes.STR, OpenApiParameter.HEADER, enum=["return=minimal"],
    description="return=minimal: each result carries client_uuid, question, status and row_version instead of the "
    "whole finding (the capture app sends it).",
)  # fmt: skip


class PackageView(ApiView):
    """Everything the capture screen needs offline for one assessment."""

    policy_actions = {"GET": "capture.take"}

    @extend_schema(responses={200: OpenApiTypes.OBJECT, **errors(401, 403, 404)})
    def get(self, request, ref):
        return Response(build_package(get_capture_assessment(request.user, ref), request.user))


class CaptureWriteView(ApiView):
    """A capture write whose body (JSON, or one photo piece of at most 1 MB) is read before its transaction opens.

    Every API write runs in one transaction, and on SQLite that transaction locks the database from its start:
    reading a body inside it over a slow link would hold every other writer (a second photo, a colleague's
    tablet) for as long as the upload takes.
    """

    def dispatch(self, request, *args, **kwargs):
        with contextlib.suppress(RequestDataTooBig):  # too large to keep: the view's own checks refuse it
            request.body  # noqa: B018  (read now, kept for the parsers)
        return super().dispatch(request, *args, **kwargs)


class ChecklistFileView(ApiView):
    """A checklist version in three languages, as the capture app keeps it. Public, like the checklist's pages.

    One address per edition of the content (the package names the current one), never changed: browsers, shared
    caches and tablets keep it for good. An outdated edition redirects to the current one.
    """

    policy_actions = {"GET": "public.read"}
    authentication_classes: list[type] = []  # the same bytes for everyone, without a session

    @extend_schema(responses={200: OpenApiTypes.OBJECT, 302: None, **errors(404)})
    def get(self, request, code, edition):
        version = get_object_or_404(ChecklistVersion, code=code)
        current = checklist_edition(version)
        if edition != current:
            return HttpResponseRedirect(checklist_url(version, current))
        response = Response(checklist_file(version, current))
        response["Cache-Control"] = "public, max-age=31536000, immutable"
        return response


class FindingBatchSerializer(serializers.Serializer):
    findings = serializers.ListField(child=serializers.DictField(), max_length=MAX_BATCH, allow_empty=False)


class FindingBatchView(CaptureWriteView):
    """Send many findings at once; each gets its own status (201, 200, 409 conflict, 403, 400)."""

    policy_actions = {"POST": "finding.edit"}

    serializer_class = FindingBatchSerializer

    @extend_schema(request=FindingBatchSerializer, parameters=[MINIMAL],
                   responses={200: OpenApiTypes.OBJECT, **errors(400, 401, 403, 404)})  # fmt: skip
    def post(self, request, ref):
        assessment = get_capture_assessment(request.user, ref)
        items = self.validated(FindingBatchSerializer)["findings"]
        results = apply_batch(assessment, items, request.user, default_language=get_language())
        minimal = wants_minimal(request)
        response = Response({"results": [result_json(result, minimal) for result in results]})
        if minimal:
            response["Preference-Applied"] = "return=minimal"
        return response


class FindingSubmissionView(CaptureWriteView):
    """Send one finding under its client UUID; answers with the status of what happened."""

    policy_actions = {"PUT": "finding.edit"}

    @extend_schema(request=OpenApiTypes.OBJECT, responses={200: OpenApiTypes.OBJECT, 201: OpenApiTypes.OBJECT,
                                                          **errors(400, 401, 403, 404, 409)})  # fmt: skip
    def put(self, request, ref, client_uuid):
        assessment = get_capture_assessment(request.user, ref)
        data = request.data if isinstance(request.data, dict) else None
        submission = Submission.from_json({**(data or {}), "client_uuid": str(client_uuid)}, get_language())
        result = apply_submission(assessment, submission, request.user)
        return Response(result_json(result), status=result.status)


class UploadOpenSerializer(serializers.Serializer):
    client_uuid = serializers.UUIDField()
    question = serializers.CharField(max_length=20)
    size = WholeNumberField(min_value=1)
    sha256 = serializers.CharField(max_length=64)


class UploadListView(CaptureWriteView):
    """Open (or reopen) the upload of one photo; answers how many bytes already arrived."""

    policy_actions = {"POST": "finding.edit"}

    serializer_class = UploadOpenSerializer

    @extend_schema(request=UploadOpenSerializer, responses={200: OpenApiTypes.OBJECT, 201: OpenApiTypes.OBJECT,
                                                           **errors(400, 401, 403, 404, 409)})  # fmt: skip
    def post(self, request, ref):
        assessment = get_capture_assessment(request.user, ref)
        values = self.validated(UploadOpenSerializer)
        session, created = uploads.open_session(
            assessment, client_uuid=values["client_uuid"], question_code=values["question"], size=values["size"],
            sha256=values["sha256"], actor=request.user,
        )  # fmt: skip
        return Response(uploads.session_state(session), status=201 if created else 200)


class UploadView(CaptureWriteView):
    """One piece of a photo: the raw bytes, with the Upload-Offset header saying where they start."""

    policy_actions = {"GET": "capture.take", "PUT": "upload.continue"}

    parser_classes = [RawBody]

    def _session(self, request, client_uuid):
        session = get_object_or_404(
            UploadSession.objects.select_related("finding__question", "assessment"), client_uuid=client_uuid
        )
        get_capture_assessment(request.user, session.assessment.ref)
        return session

    @extend_schema(responses={200: OpenApiTypes.OBJECT, **errors(401, 403, 404)})
    def get(self, request, client_uuid):
        return Response(uploads.session_state(self._session(request, client_uuid)))

    @extend_schema(request={"application/octet-stream": OpenApiTypes.BINARY},
                   responses={200: OpenApiTypes.OBJECT, **errors(400, 401, 403, 404, 409)})  # fmt: skip
    def put(self, request, client_uuid):
        session = self._session(request, client_uuid)
        try:
            offset = int(request.headers.get(OFFSET_HEADER, ""))
        except ValueError:
            raise Invalid(_("Say where the piece starts in the Upload-Offset header.")) from None
        session = uploads.receive_chunk(session, offset=offset, data=request.data, actor=request.user)
        return Response(uploads.session_state(session))


class SyncCheckSerializer(serializers.Serializer):
    findings = serializers.ListField(child=serializers.UUIDField(), required=False, default=list)
    photos = serializers.ListField(child=serializers.UUIDField(), required=False, default=list)


class SyncCheckView(CaptureWriteView):
    """Which of these submissions and photos the server holds: a sync is finished only when all are."""

    policy_actions = {"POST": "capture.take"}

    serializer_class = SyncCheckSerializer

    @extend_schema(request=SyncCheckSerializer, responses={200: OpenApiTypes.OBJECT, **errors(400, 401, 403, 404)})
    def post(self, request, ref):
        assessment = get_capture_assessment(request.user, ref)
        values = self.validated(SyncCheckSerializer)
        received = set(
            SubmissionReceipt.objects.filter(assessment=assessment, client_uuid__in=values["findings"]).values_list(
                "client_uuid", flat=True
            )
        )
        complete = set(
            UploadSession.objects.filter(
                assessment=assessment, client_uuid__in=values["photos"], completed_at__isnull=False
            ).values_list("client_uuid", flat=True)
        )
        missing = [str(item) for item in values["findings"] if item not in received]
        incomplete = [str(item) for item in values["photos"] if item not in complete]
        return Response({"complete": not missing and not incomplete, "missing_findings": missing,
                         "incomplete_photos": incomplete})  # fmt: skip


class ConflictResolveSerializer(serializers.Serializer):
    resolution = serializers.ChoiceField(["theirs"], help_text="Keep the stored answer. To keep yours, send it again "
                                         "with the stored row_version as base_version.")  # fmt: skip


class ConflictResolveView(CaptureWriteView):
    """The monitor keeps the stored answer: the conflict is closed, the tablet's version stays on record."""

    policy_actions = {"POST": "conflict.resolve"}

    serializer_class = ConflictResolveSerializer

    @extend_schema(request=ConflictResolveSerializer, responses={200: OpenApiTypes.OBJECT, **errors(400, 401, 404)})
    def post(self, request, pk):
        conflict = policy.get_or_404(request.user, "conflict.resolve", SyncConflict.objects, pk=pk)
        # Only while the reporter may still take the assessment onto a tablet (on its team).
        policy.require(request.user, "capture.take", conflict.assessment)
        self.validated(ConflictResolveSerializer)
        conflict = keep_theirs(conflict, request.user)
        return Response({**conflict_state(conflict), "resolution": conflict.resolution})


class OdkSubmissionView(ApiView):
    """Import ODK / Kobo / Enketo submissions of the exported XLSForm (XML or JSON) as findings."""

    policy_actions = {"POST": "finding.edit"}

    parser_classes = [MultiPartParser, RawBody]

    @extend_schema(
        request={"application/xml": OpenApiTypes.STR, "application/json": OpenApiTypes.OBJECT},
        responses={200: OpenApiTypes.OBJECT, 201: OpenApiTypes.OBJECT, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, ref):
        assessment = get_capture_assessment(request.user, ref)
        if request.content_type.startswith("multipart/"):
            # OpenRosa's form submission: the instance as a file of a multipart body.
            upload = request.data.get("xml_submission_file")
            if upload is None:
                raise Invalid(_("Send the instance as the xml_submission_file part."))
            parsed = [odk.parse_xml(upload.read())]
        else:
            body = request.data if isinstance(request.data, bytes) else b""  # DRF gives {} for an empty body
            parsed = odk.parse_submissions(body, request.content_type or "")
        results = [odk.import_submission(assessment, fields, request.user) for fields in parsed]
        status = max(result.status for result in results)
        return Response({"submissions": [import_json(result) for result in results]}, status=status)


def import_json(result):
    return {
        "instance_id": result.instance_id,
        "status": result.status,
        "replayed": result.replayed,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "conflicts": [conflict_state(item.conflict) for item in result.conflicts],
    }


class XlsFormView(ApiView):
    """A checklist version as an XLSForm for ODK Collect, KoboCollect and Enketo."""

    policy_actions = {"GET": "capture.forms"}

    @extend_schema(responses={(200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): bytes,
                              **errors(401, 403, 404)})  # fmt: skip
    def get(self, request, code):
        version = get_object_or_404(ChecklistVersion, code=code)
        response = HttpResponse(
            build_xlsform(version), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="{form_id(version)}.xlsx"'
        return response
