"""Assessments: list, read, plan, move through the workflow; published report revisions."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.reverse import reverse

from ims import policy
from ims.accounts.models import User
from ims.api.base import IDEMPOTENCY_KEY, WRITE_ERRORS, ApiView, errors, named_choice_field
from ims.api.fields import AsciiDateField
from ims.assessments.models import Assessment, AssessmentMonitor, ReportRevision, Status, Transition
from ims.assessments.workflow import ACTIONS, allowed_actions, plan_assessment, transition
from ims.checklists.models import ChecklistVersion
from ims.factories.models import Factory
from ims.policy.guards import StepFromField


def workflow_action_field(**kwargs):
    return named_choice_field("WorkflowAction", [(name, name) for name in ACTIONS], **kwargs)


class FactoryRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Factory
        fields = ["ref", "name_en", "name_km", "name_zh"]


class AssessmentSerializer(serializers.ModelSerializer):
    factory = FactoryRefSerializer(read_only=True)
    checklist_version = serializers.SlugRelatedField(slug_field="code", read_only=True)
    status = named_choice_field("AssessmentStatus", Status.choices, read_only=True)

    class Meta:
        model = Assessment
        fields = ["ref", "factory", "checklist_version", "type", "status", "visit_start", "visit_end", "row_version"]


class TeamMemberSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(source="user.full_name")

    class Meta:
        model = AssessmentMonitor
        fields = ["full_name", "is_lead", "clusters"]


class TransitionSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.full_name")
    from_status = named_choice_field("AssessmentStatus", Status.choices, read_only=True)
    to_status = named_choice_field("AssessmentStatus", Status.choices, read_only=True)

    class Meta:
        model = Transition
        fields = ["action", "from_status", "to_status", "actor", "at", "comment"]


class ProgressSerializer(serializers.Serializer):
    questions = serializers.IntegerField()
    answered = serializers.IntegerField()


class AssessmentDetailSerializer(AssessmentSerializer):
    team = TeamMemberSerializer(many=True, read_only=True)
    progress = serializers.SerializerMethodField()
    current_revision = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField(help_text="The workflow steps you may take now.")
    transitions = TransitionSerializer(
        many=True, read_only=True, required=False, help_text="The review history; programme staff only."
    )

    class Meta(AssessmentSerializer.Meta):
        fields = [*AssessmentSerializer.Meta.fields, "interviews_workers", "interviews_managers", "interviews_union",
                  "workers_total", "workers_female", "team", "progress", "current_revision", "allowed_actions",
                  "transitions"]  # fmt: skip

    @extend_schema_field(ProgressSerializer)
    def get_progress(self, assessment):
        return {"questions": assessment.checklist_version.questions.count(), "answered": assessment.findings.count()}

    @extend_schema_field(OpenApiTypes.INT)
    def get_current_revision(self, assessment):
        revision = assessment.current_revision()
        return revision.number if revision else None

    @extend_schema_field(serializers.ListField(child=workflow_action_field()))
    def get_allowed_actions(self, assessment):
        return allowed_actions(assessment, self.context["request"].user)

    def to_representation(self, assessment):
        data = super().to_representation(assessment)
        # Review comments are the programme's internal exchange, not part of the published report.
        if not policy.allows(self.context["request"].user, "workspace.read", assessment):
            data.pop("transitions")
        return data


class PlanSerializer(serializers.Serializer):
    factory = serializers.SlugRelatedField(slug_field="ref", queryset=Factory.objects.all())
    checklist_version = serializers.SlugRelatedField(slug_field="code", queryset=ChecklistVersion.objects.all())
    visit_start = AsciiDateField()
    visit_end = AsciiDateField()
    type = serializers.ChoiceField(Assessment.Type.choices, default=Assessment.Type.ASSESSMENT)
    monitors = serializers.ListField(
        child=serializers.EmailField(), allow_empty=False, help_text="Email addresses; the first is the lead."
    )
    client_uuid = serializers.UUIDField(required=False, allow_null=True, default=None)

    def validate_monitors(self, emails):
        emails = [email.lower() for email in emails]
        users = {user.email: user for user in User.objects.filter(email__in=emails)}
        unknown = [email for email in emails if email not in users]
        if unknown:
            raise serializers.ValidationError(_("No user has the address %(emails)s.") % {"emails": ", ".join(unknown)})
        return [users[email] for email in emails]


class TransitionRequestSerializer(serializers.Serializer):
    action = workflow_action_field()
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class RevisionSerializer(serializers.ModelSerializer):
    approved_by = serializers.CharField(source="approved_by.full_name")
    is_current = serializers.SerializerMethodField()

    class Meta:
        model = ReportRevision
        fields = ["number", "reason", "approved_by", "approved_at", "is_current"]

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_is_current(self, revision):
        return revision.number == self.context["latest_number"]


class RevisionDetailSerializer(RevisionSerializer):
    class Meta(RevisionSerializer.Meta):
        fields = [*RevisionSerializer.Meta.fields, "snapshot"]


def visible_assessments(user):
    """Assessments the user works on or whose published report the user reads."""
    return policy.scope(user, "assessment.read", Assessment.objects)


def get_visible_assessment(user, ref):
    return get_object_or_404(visible_assessments(user).select_related("factory", "checklist_version"), ref=ref)


def get_assessment(user, action, ref):
    return policy.get_or_404(user, action, Assessment.objects.select_related("factory", "checklist_version"), ref=ref)


class AssessmentListView(ApiView):
    """Assessments you may see (programme: all; factory: its published ones; buyer: granted ones), and planning."""

    serializer_class = AssessmentSerializer
    policy_actions = {"GET": "account.use", "POST": "assessment.plan"}

    @extend_schema(
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=Status.values),
            OpenApiParameter("factory", OpenApiTypes.STR, description="Factory reference."),
        ],
        responses={200: AssessmentSerializer(many=True), **errors(401)},
    )
    def get(self, request):
        assessments = visible_assessments(request.user).select_related("factory", "checklist_version")
        if status_filter := request.query_params.get("status"):
            assessments = assessments.filter(status=status_filter)
        if factory_ref := request.query_params.get("factory"):
            assessments = assessments.filter(factory__ref=factory_ref)
        return self.respond_with_page(assessments, AssessmentSerializer)

    @extend_schema(
        request=PlanSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: AssessmentDetailSerializer, **errors(*WRITE_ERRORS)},
    )
    def post(self, request):
        plan = self.validated(PlanSerializer)
        assessment = plan_assessment(
            factory=plan["factory"], version=plan["checklist_version"], actor=request.user,
            visit_start=plan["visit_start"], visit_end=plan["visit_end"], monitors=plan["monitors"],
            type=plan["type"], client_uuid=plan["client_uuid"],
        )  # fmt: skip
        location = reverse("api:assessment", args=[assessment.ref], request=request)
        return Response(
            AssessmentDetailSerializer(assessment, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": location},
        )


class AssessmentView(ApiView):
    """One assessment with its team and progress."""

    serializer_class = AssessmentDetailSerializer
    policy_actions = {"GET": "assessment.read"}

    @extend_schema(responses={200: AssessmentDetailSerializer, **errors(401, 404)})
    def get(self, request, ref):
        assessment = get_visible_assessment(request.user, ref)
        return Response(AssessmentDetailSerializer(assessment, context=self.get_serializer_context()).data)


class TransitionView(ApiView):
    """Move an assessment through its workflow."""

    serializer_class = TransitionRequestSerializer
    policy_actions = {"POST": StepFromField("action", "assessment.{}")}

    @extend_schema(
        request=TransitionRequestSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: AssessmentDetailSerializer, **errors(*WRITE_ERRORS)},
        description="start, submit (every question answered), return (comment required), approve "
        "(publishes a report revision), reopen (comment required).",
    )
    def post(self, request, ref):
        assessment = get_visible_assessment(request.user, ref)
        step = self.validated(TransitionRequestSerializer)
        assessment = transition(assessment, step["action"], request.user, comment=step["comment"])
        return Response(AssessmentDetailSerializer(assessment, context=self.get_serializer_context()).data)


class RevisionListView(ApiView):
    """The published report revisions of an assessment, oldest first."""

    serializer_class = RevisionSerializer
    pagination_class = None
    policy_actions = {"GET": "report.read"}

    @extend_schema(responses={200: RevisionSerializer(many=True), **errors(401, 404)})
    def get(self, request, ref):
        assessment = get_assessment(request.user, "report.read", ref)
        revisions = list(assessment.revisions.select_related("approved_by").order_by("number"))
        context = {**self.get_serializer_context(), "latest_number": revisions[-1].number if revisions else None}
        return Response(RevisionSerializer(revisions, many=True, context=context).data)


class RevisionView(ApiView):
    """One published report revision with its snapshot: what the report shows."""

    serializer_class = RevisionDetailSerializer
    policy_actions = {"GET": "report.read"}

    @extend_schema(responses={200: RevisionDetailSerializer, **errors(401, 404)})
    def get(self, request, ref, number):
        assessment = get_assessment(request.user, "report.read", ref)
        revision = get_object_or_404(assessment.revisions.select_related("approved_by"), number=number)
        context = {**self.get_serializer_context(), "latest_number": assessment.current_revision().number}
        return Response(RevisionDetailSerializer(revision, context=context).data)
