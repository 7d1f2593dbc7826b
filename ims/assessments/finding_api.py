"""Findings of an assessment: read them, save one answer (optimistic locking), attach a photo."""

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from ims import policy
from ims.api.base import IDEMPOTENCY_KEY, WRITE_ERRORS, ApiView, errors, language_field
from ims.api.fields import WholeNumberField
from ims.assessments.api import get_visible_assessment
from ims.assessments.evidence import attach_photo
from ims.assessments.models import Answer, Evidence, Finding
from ims.assessments.workflow import save_finding
from ims.core.errors import Conflict


class EvidenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Evidence
        fields = ["id", "finding", "content_type", "size", "sha256", "uploaded_at"]


class FindingSerializer(serializers.ModelSerializer):
    question = serializers.CharField(source="question.code")
    compliance_point = serializers.CharField(source="question.compliance_point.code")
    cluster = serializers.CharField(source="question.compliance_point.cluster.code")
    updated_by = serializers.CharField(source="updated_by.full_name")
    note_language = language_field(read_only=True)
    evidence = EvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = Finding
        fields = ["id", "question", "compliance_point", "cluster", "answer", "note", "note_language", "row_version",
                  "updated_by", "updated_at", "evidence"]  # fmt: skip


class FindingWriteSerializer(serializers.Serializer):
    answer = serializers.ChoiceField(Answer.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    note_language = language_field(default=settings.LANGUAGE_CODE)
    row_version = WholeNumberField(
        required=False, allow_null=True, default=None, min_value=1,
        help_text="The row_version the edit started from; required to change an existing finding.",
    )  # fmt: skip
    client_uuid = serializers.UUIDField(required=False, allow_null=True, default=None)


class PhotoUploadSerializer(serializers.Serializer):
    photo = serializers.FileField(help_text="JPEG, PNG or WebP; re-encoded without location data.")
    client_uuid = serializers.UUIDField(required=False, allow_null=True, default=None)


def findings_of(assessment):
    return assessment.findings.select_related("question__compliance_point__cluster", "updated_by").prefetch_related(
        "evidence"
    )


class FindingListView(ApiView):
    """Every finding of an assessment in checklist order, with its evidence."""

    serializer_class = FindingSerializer
    pagination_class = None  # at most one per question of the checklist
    policy_actions = {"GET": "findings.read"}

    @extend_schema(responses={200: FindingSerializer(many=True), **errors(401, 403, 404)})
    def get(self, request, ref):
        assessment = get_visible_assessment(request.user, ref)
        # A correction is work in progress: outside the workspace, only the published revision is read.
        policy.require(
            request.user,
            "findings.read",
            assessment,
            message=_("This report is being corrected; read its published revision."),
        )
        return Response(FindingSerializer(findings_of(assessment), many=True).data)


class FindingView(ApiView):
    """The finding for one question of an assessment."""

    serializer_class = FindingWriteSerializer
    policy_actions = {"PUT": "finding.edit"}

    @extend_schema(
        request=FindingWriteSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: FindingSerializer, 201: FindingSerializer, **errors(*WRITE_ERRORS)},
        description="Create or change the answer to one question. A row_version older than the stored one "
        "answers 409 with the stored finding in details.current; re-sending what is stored changes nothing.",
    )
    def put(self, request, ref, question_code):
        assessment = get_visible_assessment(request.user, ref)
        values = self.validated(FindingWriteSerializer)
        existed = assessment.findings.filter(question__code=question_code).exists()
        try:
            save_finding(
                assessment, question_code=question_code, answer=values["answer"], actor=request.user,
                note=values["note"], note_language=values["note_language"], expected_version=values["row_version"],
                client_uuid=values["client_uuid"],
            )  # fmt: skip
        except Conflict as conflict:
            stored = findings_of(assessment).filter(question__code=question_code).first()
            if stored is not None:
                conflict.details["current"] = FindingSerializer(stored).data
            raise
        finding = findings_of(assessment).get(question__code=question_code)
        answer_status = status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        return Response(FindingSerializer(finding).data, status=answer_status)


class EvidenceView(ApiView):
    """Attach a photo to a finding."""

    serializer_class = PhotoUploadSerializer
    parser_classes = [MultiPartParser]
    policy_actions = {"POST": "finding.edit"}

    @extend_schema(
        request={"multipart/form-data": PhotoUploadSerializer},
        parameters=[IDEMPOTENCY_KEY],
        responses={201: EvidenceSerializer, **errors(*WRITE_ERRORS, 413)},
    )
    def post(self, request, ref, question_code):
        assessment = get_visible_assessment(request.user, ref)
        finding = (
            assessment.findings.select_related("assessment", "question__compliance_point__cluster")
            .filter(question__code=question_code)
            .first()
        )
        if finding is None:
            raise NotFound(_("Question %(code)s has no answer in this assessment yet; save it before adding evidence.")
                           % {"code": question_code})  # fmt: skip
        upload = self.validated(PhotoUploadSerializer)
        # One byte past the limit is enough for the service to refuse an oversized file unread.
        data = upload["photo"].read(settings.IMS_MAX_UPLOAD_BYTES + 1)
        evidence = attach_photo(finding, data, request.user, client_uuid=upload["client_uuid"])
        return Response(EvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)
