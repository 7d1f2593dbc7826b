"""A factory's answers to its published report: objections (ruled by the head) and corrective actions."""

from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from ims import policy
from ims.api.base import IDEMPOTENCY_KEY, WRITE_ERRORS, ApiView, errors, language_field, named_choice_field
from ims.api.fields import AsciiDateField, WholeNumberField
from ims.assessments.models import Answer, Finding
from ims.core.errors import Conflict
from ims.responses.models import ActionPlanItem, Objection, ProgressNote
from ims.responses.services import add_action, object_to_finding, rule_on_objection, update_action


class NamesForReaders(serializers.Serializer):
    """People's names only for readers the policy lets see them; buyers read the factory's name instead."""

    names: tuple[str, ...] = ()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        assessment = instance.finding.assessment
        shown = self.context.setdefault("names_shown", {})  # one question per assessment in a list
        if assessment.pk not in shown:
            shown[assessment.pk] = policy.allows(self.context["request"].user, "objection.read_names", assessment)
        if not shown[assessment.pk]:
            data.update(dict.fromkeys(self.names))
        return data


class ObjectionSerializer(NamesForReaders, serializers.ModelSerializer):
    assessment = serializers.CharField(source="finding.assessment.ref")
    question = serializers.CharField(source="finding.question.code")
    factory = serializers.CharField(source="finding.assessment.factory.display_name")
    revision = serializers.IntegerField(source="revision.number")
    author = serializers.CharField(
        source="author.full_name", allow_null=True, help_text="Who objected; null for buyers, who read the factory."
    )
    ruled_by = serializers.CharField(source="ruled_by.full_name", allow_null=True, default=None)
    language = language_field(read_only=True)
    status = named_choice_field("ObjectionStatus", Objection.Status.choices, read_only=True)
    names = ("author", "ruled_by")

    class Meta:
        model = Objection
        fields = ["id", "finding", "assessment", "question", "factory", "revision", "author", "text", "language",
                  "created_at", "status", "ruling", "ruled_by", "ruled_at"]  # fmt: skip


class ObjectionRequestSerializer(serializers.Serializer):
    text = serializers.CharField()
    language = language_field(required=False, help_text="The language of the text; default: the request's.")


class RulingRequestSerializer(serializers.Serializer):
    decision = serializers.ChoiceField([Objection.Status.UPHELD, Objection.Status.REVISED])
    ruling = serializers.CharField()
    answer = serializers.ChoiceField(Answer.choices, required=False, help_text="The revised answer, if it changes.")
    note = serializers.CharField(required=False, allow_blank=True, help_text="The revised note, if it changes.")


class ProgressNoteSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.full_name", allow_null=True)

    class Meta:
        model = ProgressNote
        fields = ["author", "text", "created_at"]


class ActionSerializer(NamesForReaders, serializers.ModelSerializer):
    assessment = serializers.CharField(source="finding.assessment.ref")
    question = serializers.CharField(source="finding.question.code")
    factory = serializers.CharField(source="finding.assessment.factory.display_name")
    created_by = serializers.CharField(
        source="created_by.full_name", allow_null=True, help_text="Null for buyers, who read the factory."
    )
    status = named_choice_field("ActionStatus", ActionPlanItem.Status.choices, read_only=True)
    notes = ProgressNoteSerializer(many=True, read_only=True)
    names = ("created_by",)

    class Meta:
        model = ActionPlanItem
        fields = ["id", "finding", "assessment", "question", "factory", "action", "owner", "due_date", "status",
                  "row_version", "created_by", "created_at", "updated_at", "notes"]  # fmt: skip

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if data["created_by"] is None:
            for note in data["notes"]:
                note["author"] = None
        return data


class ActionRequestSerializer(serializers.Serializer):
    action = serializers.CharField()
    owner = serializers.CharField(max_length=200, help_text="The person responsible.")
    due_date = AsciiDateField()


class ActionUpdateSerializer(serializers.Serializer):
    row_version = WholeNumberField(min_value=1, help_text="The row_version the update started from.")
    status = named_choice_field("ActionStatus", ActionPlanItem.Status.choices, required=False)
    note = serializers.CharField(required=False, allow_blank=True, help_text="A progress note to add.")


def readable_findings(user):
    return policy.scope(user, "report.read", Finding.objects, via="assessment").select_related(
        "assessment__factory", "question__compliance_point__cluster"
    )


def scoped_objections(user):
    """Objections on published reports: the programme's and the factory's, and buyers' with a grant in force."""
    objections = Objection.objects.select_related(
        "finding__assessment__factory", "finding__question", "revision", "author", "ruled_by"
    )
    return policy.scope(user, "objection.read", objections, via="finding__assessment")


def scoped_actions(user):
    actions = ActionPlanItem.objects.select_related("finding__assessment__factory", "finding__question", "created_by")
    return policy.scope(user, "action.read", actions.prefetch_related("notes__author"), via="finding__assessment")


STATUS_FILTER = OpenApiParameter("status", OpenApiTypes.STR)
ASSESSMENT_FILTER = OpenApiParameter("assessment", OpenApiTypes.STR, description="Assessment reference.")


def filtered(queryset, query_params):
    if status_filter := query_params.get("status"):
        queryset = queryset.filter(status=status_filter)
    if assessment_ref := query_params.get("assessment"):
        queryset = queryset.filter(finding__assessment__ref=assessment_ref)
    return queryset


class ObjectionCreateView(ApiView):
    """Objections to one finding."""

    serializer_class = ObjectionRequestSerializer
    policy_actions = {"POST": "objection.file"}

    @extend_schema(
        request=ObjectionRequestSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: ObjectionSerializer, **errors(*WRITE_ERRORS)},
        description="The factory's managers dispute a finding of its published report.",
    )
    def post(self, request, finding_id):
        finding = get_object_or_404(readable_findings(request.user), pk=finding_id)
        values = self.validated(ObjectionRequestSerializer)
        objection = object_to_finding(finding, request.user, values["text"], values.get("language", get_language()))
        objection = scoped_objections(request.user).get(pk=objection.pk)
        return Response(
            ObjectionSerializer(objection, context=self.get_serializer_context()).data, status=status.HTTP_201_CREATED
        )


class ObjectionListView(ApiView):
    """Objections you may see: the programme all, a factory its own."""

    serializer_class = ObjectionSerializer
    policy_actions = {"GET": "account.use"}

    @extend_schema(
        parameters=[STATUS_FILTER, ASSESSMENT_FILTER], responses={200: ObjectionSerializer(many=True), **errors(401)}
    )
    def get(self, request):
        return self.respond_with_page(filtered(scoped_objections(request.user), request.query_params),
                                      ObjectionSerializer)  # fmt: skip


class ObjectionView(ApiView):
    """One objection."""

    serializer_class = ObjectionSerializer
    policy_actions = {"GET": "objection.read"}

    @extend_schema(responses={200: ObjectionSerializer, **errors(401, 404)})
    def get(self, request, pk):
        return Response(
            ObjectionSerializer(
                get_object_or_404(scoped_objections(request.user), pk=pk), context=self.get_serializer_context()
            ).data
        )


class RulingView(ApiView):
    """The ruling on an objection."""

    serializer_class = RulingRequestSerializer
    policy_actions = {"POST": "objection.rule"}

    @extend_schema(
        request=RulingRequestSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: ObjectionSerializer, **errors(*WRITE_ERRORS)},
        description="The programme head upholds the finding, or revises it (answer and/or note), "
        "which publishes a new report revision.",
    )
    def post(self, request, pk):
        objection = get_object_or_404(scoped_objections(request.user), pk=pk)
        values = self.validated(RulingRequestSerializer)
        rule_on_objection(objection, request.user, values["decision"], values["ruling"], answer=values.get("answer"),
                          note=values.get("note"))  # fmt: skip
        return Response(
            ObjectionSerializer(scoped_objections(request.user).get(pk=pk), context=self.get_serializer_context()).data
        )


class ActionCreateView(ApiView):
    """Corrective actions for one finding."""

    serializer_class = ActionRequestSerializer
    policy_actions = {"POST": "action.add"}

    @extend_schema(
        request=ActionRequestSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: ActionSerializer, **errors(*WRITE_ERRORS)},
        description="The factory's managers commit to a corrective action for a non-compliant finding.",
    )
    def post(self, request, finding_id):
        finding = get_object_or_404(readable_findings(request.user), pk=finding_id)
        values = self.validated(ActionRequestSerializer)
        item = add_action(finding, request.user, values["action"], values["owner"], values["due_date"])
        created = scoped_actions(request.user).get(pk=item.pk)
        return Response(ActionSerializer(created, context=self.get_serializer_context()).data, status=201)


class ActionListView(ApiView):
    """Corrective actions you may see: the programme all, a factory its own."""

    serializer_class = ActionSerializer
    policy_actions = {"GET": "account.use"}

    @extend_schema(
        parameters=[STATUS_FILTER, ASSESSMENT_FILTER], responses={200: ActionSerializer(many=True), **errors(401)}
    )
    def get(self, request):
        return self.respond_with_page(filtered(scoped_actions(request.user), request.query_params), ActionSerializer)


class ActionView(ApiView):
    """One corrective action with its progress notes."""

    serializer_class = ActionSerializer
    policy_actions = {"GET": "action.read", "PATCH": "action.update"}

    @extend_schema(responses={200: ActionSerializer, **errors(401, 404)})
    def get(self, request, pk):
        return Response(
            ActionSerializer(
                get_object_or_404(scoped_actions(request.user), pk=pk), context=self.get_serializer_context()
            ).data
        )

    @extend_schema(
        request=ActionUpdateSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: ActionSerializer, **errors(*WRITE_ERRORS)},
        description="Change the status and/or add a progress note; an outdated row_version answers 409.",
    )
    def patch(self, request, pk):
        item = get_object_or_404(scoped_actions(request.user), pk=pk)
        values = self.validated(ActionUpdateSerializer)
        try:
            update_action(item, request.user, values["row_version"], status=values.get("status"),
                          note=values.get("note"))  # fmt: skip
        except Conflict as conflict:
            conflict.details["current"] = ActionSerializer(
                scoped_actions(request.user).get(pk=pk), context=self.get_serializer_context()
            ).data
            raise
        return Response(
            ActionSerializer(scoped_actions(request.user).get(pk=pk), context=self.get_serializer_context()).data
        )
