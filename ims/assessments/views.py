"""The monitors' pages: their assessments, planning, the overview, capture on a tablet and the final review.

Every rule lives in workflow.py and evidence.py; these views read input, call a service and turn a
DomainError into an answer with the error's status and message. Who may open which page is the policy's
(ims.policy): an assessment the user may not read about is a 404 here, one outside the user's
workspace a 403; factories and buyers read the published report pages instead.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from ims import policy
from ims.assessments import workflow
from ims.assessments.evidence import attach_photo, evidence_state
from ims.assessments.forms import AssessmentDetailsForm, AssessmentFilterForm, PlanForm, factory_label
from ims.assessments.models import Answer, Assessment, Evidence, answer_wording
from ims.assessments.previous import previous_findings
from ims.checklists.models import ChecklistVersion, Question
from ims.core.errors import DomainError, Invalid
from ims.core.i18n import NATIVE_NAMES
from ims.core.listing import paginate
from ims.core.numbers import whole_number
from ims.factories.models import Factory
from ims.operations.storage import verified_copy
from ims.policy.guards import StepFromField, guard

ACTION_BUTTONS = {
    "start": gettext_lazy("Start the assessment"),
    "submit": gettext_lazy("Submit for review"),
    "return": gettext_lazy("Return to the monitors"),
    "approve": gettext_lazy("Approve and publish"),
    "reopen": gettext_lazy("Reopen for correction"),
}
ACTION_DONE = {
    "start": gettext_lazy("Assessment started: findings can be captured now."),
    "submit": gettext_lazy("Assessment submitted to the programme head for review."),
    "return": gettext_lazy("Assessment returned to the monitors with your comment."),
    "approve": gettext_lazy("Assessment approved: its report revision is published."),
    "reopen": gettext_lazy("Assessment reopened for correction."),
}


def _workspace_assessment(request, ref):
    """The assessment if the user works on it (its team, the head, programme administrators): 404 for one
    the user may not even read about, 403 for one whose published report is all the user may read."""
    assessment = policy.get_or_404(
        request.user, "assessment.read", Assessment.objects.select_related("factory", "checklist_version"), ref=ref
    )
    if not policy.allows(request.user, "workspace.read", assessment):
        raise PermissionDenied
    return assessment


# --- progress -----------------------------------------------------------------------------------------------


@dataclass
class ClusterProgress:
    cluster: object
    total: int
    answered: int = 0
    noncompliant: int = 0

    @property
    def missing(self):
        return self.total - self.answered


def cluster_progress(assessment):
    """Questions, answers and non-compliances per cluster, from two grouped counts rather than one per cluster."""
    version = assessment.checklist_version
    totals = dict(
        Question.objects.filter(version=version)
        .values_list("compliance_point__cluster_id")
        .annotate(count=Count("pk"))
        .order_by()
    )
    answers = {
        row["question__compliance_point__cluster_id"]: row
        for row in assessment.findings.values("question__compliance_point__cluster_id")
        .annotate(answered=Count("pk"), noncompliant=Count("pk", filter=Q(answer=Answer.NON_COMPLIANT)))
        .order_by()
    }
    progress = []
    for cluster in version.clusters.all():
        row = answers.get(cluster.pk, {})
        progress.append(
            ClusterProgress(cluster, totals.get(cluster.pk, 0), row.get("answered", 0), row.get("noncompliant", 0))
        )
    return progress


def _progress_totals(progress):
    return {
        "total": sum(item.total for item in progress),
        "answered": sum(item.answered for item in progress),
        "noncompliant": sum(item.noncompliant for item in progress),
        "missing": sum(item.missing for item in progress),
    }


# --- workflow buttons ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionButton:
    name: str
    label: str
    needs_comment: bool


def available_actions(assessment, user):
    """The workflow steps to offer this user now; the service checks them again when used."""
    return [
        ActionButton(name, ACTION_BUTTONS[name], workflow.ACTIONS[name].needs_comment)
        for name in workflow.allowed_actions(assessment, user)
    ]


# --- pages --------------------------------------------------------------------------------------------------


@guard(GET="workspace.open")
def mine(request):
    visible = policy.scope(request.user, "workspace.read", Assessment.objects).select_related(
        "factory", "checklist_version"
    )
    question_totals = dict(ChecklistVersion.objects.annotate(count=Count("questions")).values_list("pk", "count"))
    on_team = paginate(
        request,
        visible.filter(team__user=request.user).annotate(answered=Count("findings")).order_by("-visit_start", "-pk"),
        prefix="team",
    )
    others = (
        visible.exclude(team__user=request.user).annotate(answered=Count("findings")).order_by("-visit_start", "-pk")
    )
    listing = paginate(request, others, AssessmentFilterForm(request.GET))
    for assessment in [*on_team.page.object_list, *listing.page.object_list]:
        assessment.question_total = question_totals.get(assessment.checklist_version_id, 0)
    return render(request, "assessments/mine.html", {"on_team": on_team, "listing": listing}, status=listing.status)


@guard(GET="assessment.plan", POST="assessment.plan")
def plan(request):
    initial = {}
    if ref := request.GET.get("factory"):
        factory = Factory.objects.filter(ref=ref).first()
        initial["factory"] = factory_label(factory) if factory else ref
    form = PlanForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assessment = workflow.plan_assessment(
                factory=data["factory"], version=data["version"], actor=request.user, type=data["type"],
                visit_start=data["visit_start"], visit_end=data["visit_end"], monitors=form.team(),
            )  # fmt: skip
        except DomainError as error:
            form.add_error(None, error.message)
            status = error.status
        else:
            messages.success(request, _("Assessment %(ref)s planned.") % {"ref": assessment.ref})
            return redirect("assessments:detail", ref=assessment.ref)
    elif request.method == "POST":
        status = 400
    factories = Factory.objects.exclude(status=Factory.Status.CLOSED).only("ref", "name_en")
    return render(
        request,
        "assessments/plan.html",
        {"form": form, "factory_options": [factory_label(factory) for factory in factories]},
        status=status,
    )


def _render_detail(request, assessment, *, status=200, error=None, details_form=None, comment=""):
    progress = cluster_progress(assessment)
    editable = workflow.can_edit_findings(assessment, request.user)
    if details_form is None and editable:
        details_form = AssessmentDetailsForm(instance=assessment)
    next_cluster = next((item.cluster for item in progress if item.missing), progress[0].cluster if progress else None)
    totals = _progress_totals(progress)
    actions = available_actions(assessment, request.user)
    # Submitting is offered once every question has an answer (the workflow refuses it before anyway).
    submit_waits = totals["missing"] > 0 and any(action.name == "submit" for action in actions)
    if submit_waits:
        actions = [action for action in actions if action.name != "submit"]
    return render(
        request,
        "assessments/detail.html",
        {
            "assessment": assessment,
            "team": assessment.team.select_related("user").order_by("-is_lead", "user__full_name"),
            "progress": progress,
            "totals": totals,
            "next_cluster": next_cluster,
            "actions": actions,
            "submit_waits": submit_waits,
            "transitions": assessment.transitions.select_related("actor"),
            "head_comment": workflow.head_comment(assessment),
            "editable": editable,
            "details_form": details_form,
            "error": error,
            "comment": comment,
        },
        status=status,
    )


@guard(GET="workspace.read")
def detail(request, ref):
    return _render_detail(request, _workspace_assessment(request, ref))


@guard(POST="finding.edit")
def update_details(request, ref):
    assessment = _workspace_assessment(request, ref)
    form = AssessmentDetailsForm(request.POST, instance=assessment)
    if not form.is_valid():
        return _render_detail(request, assessment, status=400, details_form=form)
    try:
        form.save(request.user)
    except DomainError as error:
        assessment.refresh_from_db()
        return _render_detail(request, assessment, status=error.status, error=error)
    messages.success(request, _("Interviews and workforce saved."))
    return redirect("assessments:detail", ref=ref)


@guard(POST=StepFromField("action", "assessment.{}"))
def transition(request, ref):
    assessment = _workspace_assessment(request, ref)
    action = request.POST.get("action", "")
    comment = request.POST.get("comment", "")
    try:
        workflow.transition(assessment, action, request.user, comment=comment)
    except DomainError as error:
        assessment.refresh_from_db()
        if request.POST.get("return_to") == "review":
            return _render_review(request, assessment, status=error.status, error=error)
        return _render_detail(request, assessment, status=error.status, error=error, comment=comment)
    messages.success(request, ACTION_DONE[action])
    return redirect("assessments:detail", ref=ref)


# --- capture ------------------------------------------------------------------------------------------------


@dataclass
class QuestionCard:
    question: object
    finding: object = None
    previous: dict | None = None  # the previous visit's published answer and note (assessments.previous)

    @property
    def answers(self):
        return answer_wording(self.question.noncompliant_answer)


@dataclass
class PointCards:
    point: object
    cards: list = field(default_factory=list)


def _render_capture(request, assessment, cluster, *, status=200, error=None, error_question=""):
    questions = (
        Question.objects.filter(compliance_point__cluster=cluster)
        .select_related("compliance_point", "applies_if")
        .order_by("compliance_point__order", "order")
    )
    findings = {
        finding.question_id: finding
        for finding in assessment.findings.filter(question__compliance_point__cluster=cluster)
        .select_related("updated_by")
        .prefetch_related("evidence")
    }
    previous = previous_findings(assessment)
    earlier = previous["findings"] if previous else {}
    unanswered_only = request.GET.get("show") == "unanswered"
    points = []
    for question in questions:
        finding = findings.get(question.pk)
        if unanswered_only and finding is not None:
            continue
        if not points or points[-1].point != question.compliance_point:
            points.append(PointCards(question.compliance_point))
        card = QuestionCard(question, finding, earlier.get(question.code))
        if card.previous:
            card.previous_label = Answer(card.previous["answer"]).label
        points[-1].cards.append(card)
    first_unanswered = next((card for group in points for card in group.cards if card.finding is None), None)
    progress = cluster_progress(assessment)
    position = next(index for index, item in enumerate(progress) if item.cluster == cluster)
    return render(
        request,
        "assessments/capture.html",
        {
            "assessment": assessment,
            "cluster": cluster,
            "points": points,
            "progress": progress,
            "current": progress[position],
            "totals": _progress_totals(progress),
            "previous_cluster": progress[position - 1].cluster if position > 0 else None,
            "next_cluster": progress[position + 1].cluster if position + 1 < len(progress) else None,
            "editable": workflow.can_edit_findings(assessment, request.user, cluster.code),
            "on_team": workflow.is_on_team(assessment, request.user),
            "head_comment": workflow.head_comment(assessment),
            "answers": Answer.choices,
            "previous": previous,
            "unanswered_only": unanswered_only,
            "first_unanswered": first_unanswered,
            "note_languages": [(code, NATIVE_NAMES[code]) for code, _name in settings.LANGUAGES],
            "page_language": get_language(),
            "error": error,
            "error_question": error_question,
        },
        status=status,
    )


def _row_version(value):
    if value in (None, ""):
        return None
    number = whole_number(value)  # not 1.5, true or "٣"
    if number is None:
        raise Invalid(_("The row version must be a whole number."))
    return number


def _save_from(request, assessment, data):
    """Call save_finding with what a card's form sent."""
    return workflow.save_finding(
        assessment,
        question_code=data.get("question", ""),
        answer=data.get("answer", ""),
        note=data.get("note", ""),
        note_language=data.get("note_language") or get_language(),
        expected_version=_row_version(data.get("row_version")),
        actor=request.user,
    )


@guard(GET="workspace.read", POST="finding.edit")
def capture(request, ref, cluster_code):
    """One cluster's questions. Those who capture get the capture screen (one client, online and offline);
    the plain page (?plain=1, linked from that screen's noscript, and for readers who do not capture) shows
    the cards as forms that post here and come back."""
    assessment = _workspace_assessment(request, ref)
    cluster = get_object_or_404(assessment.checklist_version.clusters, code=cluster_code)
    if request.method != "POST":
        if not request.GET.get("plain") and policy.allows(request.user, "capture.take", assessment):
            # No fragment here: the browser keeps the one the link had (#q-CODE) across the redirect.
            return redirect(f"{reverse('capture:app', args=[ref])}?cluster={cluster.code}")
        return _render_capture(request, assessment, cluster)
    question_code = request.POST.get("question", "")
    try:
        _save_from(request, assessment, request.POST)
    except DomainError as error:
        return _render_capture(
            request, assessment, cluster, status=error.status, error=error, error_question=question_code
        )
    return redirect(f"{reverse('assessments:capture', args=[ref, cluster.code])}?plain=1#q-{question_code}")


@guard(POST="finding.edit")
def upload_evidence(request, ref):
    """A photo for one answered question, from the plain capture page's form: back to the question, or the page
    with the reason. (The capture screen sends photos through the capture API, in resumable pieces.)"""
    assessment = _workspace_assessment(request, ref)
    try:
        workflow.require_editable(assessment, request.user)
    except DomainError:
        raise PermissionDenied from None
    question_code = request.POST.get("question", "")
    question = (
        assessment.checklist_version.questions.select_related("compliance_point__cluster")
        .filter(code=question_code)
        .first()
    )
    finding = (
        assessment.findings.filter(question=question).select_related("question__compliance_point__cluster").first()
        if question
        else None
    )
    try:
        if question is None:
            raise Invalid(_("Question %(code)s is not in this checklist.") % {"code": question_code})
        if finding is None:
            raise Invalid(_("Answer the question before adding a photo."))
        upload = request.FILES.get("photo")
        if upload is None:
            raise Invalid(_("Choose a photo to upload."))
        # Reading one byte past the limit lets attach_photo refuse an oversized file without holding all of it.
        attach_photo(finding, upload.read(settings.IMS_MAX_UPLOAD_BYTES + 1), request.user)
    except DomainError as error:
        cluster = question.compliance_point.cluster if question else assessment.checklist_version.clusters.first()
        return _render_capture(
            request, assessment, cluster, status=error.status, error=error, error_question=question_code
        )
    messages.success(request, _("Photo saved for question %(code)s.") % {"code": question_code})
    cluster_code = question.compliance_point.cluster.code
    return redirect(f"{reverse('assessments:capture', args=[ref, cluster_code])}?plain=1#q-{question_code}")


@guard(GET="evidence.read")
def evidence(request, ref, pk):
    """Streams a stored photo: to the assessment's workspace always; to readers of its published report
    only if the photo is part of the published revision (not one added during a correction)."""
    item = get_object_or_404(
        Evidence.objects.select_related("finding__assessment"), pk=pk, finding__assessment__ref=ref
    )
    if not policy.allows(request.user, "evidence.read", item, state=evidence_state(item)):
        raise Http404
    # Checked against the hash recorded at upload: a damaged copy is refused, never served as evidence.
    response = FileResponse(verified_copy(item.file, item.sha256), content_type=item.content_type)
    # Never kept by the browser: a photo must stop being readable the moment a grant is revoked.
    response["Cache-Control"] = "no-store"
    return response


# --- review -------------------------------------------------------------------------------------------------


@dataclass
class ClusterReview:
    cluster: object
    noncompliant: list = field(default_factory=list)
    others: list = field(default_factory=list)
    unanswered: list = field(default_factory=list)


def _render_review(request, assessment, *, status=200, error=None):
    questions = assessment.checklist_version.questions.select_related("compliance_point__cluster", "applies_if")
    findings = {
        finding.question_id: finding
        for finding in assessment.findings.select_related("updated_by").prefetch_related("evidence")
    }
    clusters = {}
    for question in questions:
        cluster = question.compliance_point.cluster
        group = clusters.setdefault(cluster.pk, ClusterReview(cluster))
        finding = findings.get(question.pk)
        if finding is None:
            group.unanswered.append(question)
        elif finding.is_noncompliant:
            group.noncompliant.append(QuestionCard(question, finding))
        else:
            group.others.append(QuestionCard(question, finding))
    progress = cluster_progress(assessment)
    return render(
        request,
        "assessments/review.html",
        {
            "assessment": assessment,
            "clusters": list(clusters.values()),
            "totals": _progress_totals(progress),
            "actions": available_actions(assessment, request.user),
            "head_comment": workflow.head_comment(assessment),
            "error": error,
        },
        status=status,
    )


@guard(GET="workspace.read")
def review(request, ref):
    return _render_review(request, _workspace_assessment(request, ref))
