"""Pages of the published reports and of their review.

A report page is rendered from its revision's frozen snapshot and the pinned checklist's
texts, so an old revision reads exactly as it was approved. Every page starts from
the policy's scope of its action (404 otherwise); every change goes through a service.
"""

import datetime
from collections import Counter
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Max, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ims import policy
from ims.assessments.models import PUBLISHED_STATUSES, Answer, Assessment, ReportRevision, Status
from ims.assessments.snapshot import of_revision
from ims.assessments.workflow import allowed_actions, transition
from ims.checklists.models import Question
from ims.core.errors import DomainError
from ims.core.listing import paginate
from ims.factories.models import Factory
from ims.policy.guards import StepFromField, guard
from ims.reports.documents import document_context
from ims.reports.forms import ApprovedFilterForm, NoteTranslationForm, RuledFilterForm
from ims.reports.models import Kind
from ims.responses.forms import ActionForm, ActionUpdateForm, ObjectionForm, RulingForm
from ims.responses.models import Objection
from ims.responses.services import rule_on_objection

APPROVED_PAGE_SIZE = 20
RULED_PAGE_SIZE = 20
REVIEW_ACTIONS = ("return", "approve", "reopen")
ANSWER_COLUMNS = (Answer.COMPLIANT, Answer.NON_COMPLIANT, Answer.NOT_APPLICABLE, Answer.NOT_ASSESSED)


def _published_reports(visible):
    """Published assessments with their revisions, newest first (snapshots are not needed for a list)."""
    revisions = ReportRevision.objects.defer("snapshot").select_related("approved_by").order_by("-number")
    return (
        visible.filter(status__in=PUBLISHED_STATUSES)
        .prefetch_related(Prefetch("revisions", queryset=revisions))
        .order_by("-visit_start", "-pk")
    )


def _factories_with_reports(factories, visible):
    return factories.order_by("name_en").prefetch_related(
        Prefetch("assessments", queryset=_published_reports(visible), to_attr="published")
    )


@guard(GET="reports.open")
def index(request):
    """What each role has to read or do: the head's queue, a factory's reports, a buyer's granted factories."""
    user = request.user
    readable = policy.scope(user, "report.read", Assessment.objects).select_related("factory")
    context = {"staff": None, "own_factories": None, "granted_factories": None}
    if policy.may_ever(user, "reports.programme"):
        workspace = policy.scope(user, "workspace.read", Assessment.objects).select_related("factory")
        context["staff"] = {
            "awaiting_review": workspace.filter(status=Status.SUBMITTED).order_by("updated_at"),
            "being_corrected": workspace.filter(status=Status.CORRECTING),
            "approved": paginate(
                request,
                readable.annotate(
                    last_approved=Max("revisions__approved_at"), last_number=Max("revisions__number")
                ).order_by("-last_approved", "-pk"),
                ApprovedFilterForm(request.GET, prefix="approved"),
                per_page=APPROVED_PAGE_SIZE,
            ),
            "open_objections": policy.scope(user, "objection.read", Objection.objects, via="finding__assessment")
            .filter(status=Objection.Status.OPEN)
            .count(),
            "reviews": policy.may_ever(user, "review.open"),
            "objections_queue": policy.may_ever(user, "objections.queue"),
        }
    own = policy.scope(user, "factory.act_for", Factory.objects)
    if own.exists():
        context["own_factories"] = _factories_with_reports(own, readable)
    if policy.may_ever(user, "factory.granted"):
        grants = policy.grants_in_force().filter(buyer__in=policy.buyer_organisations(user))
        granted = policy.scope(user, "factory.granted", Factory.objects).prefetch_related(
            Prefetch("access_grants", queryset=grants.select_related("buyer"), to_attr="active_grants")
        )
        context["granted_factories"] = _factories_with_reports(granted, readable)
    status = context["staff"]["approved"].status if context["staff"] else 200
    return render(request, "reports/index.html", context, status=status)


# The detailed report of one revision: its body is the shared document template (ims.reports.documents)


def _attach_response_forms(noncompliances):
    """Inline forms for the factory manager, each with its own ids so several fit on one page."""
    for row in noncompliances:
        prefix = f"id_f{row.finding_id}_%s"
        row.forms = {
            "objection": ObjectionForm(auto_id=prefix.replace("%s", "objection_%s")),
            "action": ActionForm(auto_id=prefix.replace("%s", "action_%s")),
        }
        for item in row.actions:
            item.form = ActionUpdateForm(
                initial={"status": item.status, "row_version": item.row_version}, auto_id=f"id_item{item.pk}_%s"
            )


@guard(GET="report.read")
def revision(request, ref, number):
    user = request.user
    assessment = policy.get_or_404(
        user, "report.read", Assessment.objects.select_related("factory", "checklist_version"), ref=ref
    )
    shown = get_object_or_404(assessment.revisions.select_related("approved_by"), number=number)
    revisions = list(assessment.revisions.defer("snapshot").order_by("number"))
    is_current = shown.number == revisions[-1].number
    report = document_context(shown, Kind.DETAILED, get_language())
    responding = is_current and policy.allows(user, "objection.file", assessment)
    if responding:
        _attach_response_forms(report["noncompliances"])
    if policy.allows(user, "note.translate", assessment):
        for row in report["noncompliances"]:
            if row.note:
                row.forms["translation"] = NoteTranslationForm(auto_id=f"id_f{row.finding_id}_translation_%s")
    context = {
        "assessment": assessment,
        "revision": shown,
        "revisions": revisions,
        "is_current": is_current,
        "current": revisions[-1],
        "report": report,
        "responding": responding,
        "show_names": policy.allows(user, "objection.read_names", assessment),
        "reviews": policy.allows(user, "review.open", assessment),
    }
    return render(request, "reports/revision.html", context)


# The head's review


class TransitionForm(forms.Form):
    action = forms.ChoiceField(choices=[(name, name) for name in REVIEW_ACTIONS])
    comment = forms.CharField(required=False)


def _done_message(action, assessment):
    if action == "approve":
        return _("Approved: revision %(number)d of the report is published.") % {
            "number": assessment.current_revision().number
        }
    if action == "return":
        return _("Returned to the monitors with your comment.")
    return _("Reopened for correction. Approve it again to publish the corrected revision.")


FINDING_COMMENT = "finding-comment-"  # + the question code: the head's word on one finding when returning


@dataclass
class ChangeRow:
    code: str
    before: tuple  # (answer, its label, note), or None for a finding answered since
    now: tuple
    comment: str


def _change_rows(last_return, findings):
    """The findings the monitors changed since the head returned the assessment, with the head's comment."""

    def shown(answer_and_note):
        answer, note = answer_and_note
        return answer, Answer(answer).label if answer in Answer.values else answer, note

    return [
        ChangeRow(code, shown(before) if before else None, shown(now), last_return.finding_comments.get(code, ""))
        for code, before, now in last_return.changes_since(findings)
    ]


def _finding_comments(data):
    return {name.removeprefix(FINDING_COMMENT): text for name, text in data.items() if name.startswith(FINDING_COMMENT)}


@guard(GET="review.open", POST=StepFromField("action", "assessment.{}"))
def review(request, ref):
    assessment = policy.get_or_404(
        request.user, "assessment.read", Assessment.objects.select_related("factory", "checklist_version"), ref=ref
    )
    if not policy.allows(request.user, "review.open", assessment):
        raise PermissionDenied
    status, posted = 200, None
    if request.method == "POST":
        posted = TransitionForm(request.POST)
        if posted.is_valid():
            action = posted.cleaned_data["action"]
            try:
                on_findings = _finding_comments(request.POST) if action == "return" else None
                assessment = transition(assessment, action, request.user, posted.cleaned_data["comment"],
                                        finding_comments=on_findings)  # fmt: skip
            except DomainError as error:
                messages.error(request, error.message)
                status = error.status
            else:
                messages.success(request, _done_message(action, assessment))
                return redirect("reports:review", ref=assessment.ref)
        else:
            messages.error(request, _("Choose one of the actions offered on this page."))
            status = 400
    findings = list(
        assessment.findings.select_related("question__compliance_point__cluster").prefetch_related("evidence")
    )
    # Non-compliances first, then what was not assessed, each in checklist order (the sort is stable).
    findings.sort(key=lambda finding: {Answer.NON_COMPLIANT: 0, Answer.NOT_ASSESSED: 1}.get(finding.answer, 2))
    last_return = assessment.transitions.filter(action="return").select_related("actor").last()
    context = {
        "assessment": assessment,
        "findings": findings,
        "totals": Counter(finding.answer for finding in findings),
        "asked": assessment.checklist_version.questions.count(),
        "answer_columns": ANSWER_COLUMNS,
        "transitions": assessment.transitions.select_related("actor"),
        "actions": [name for name in allowed_actions(assessment, request.user) if name in REVIEW_ACTIONS],
        "current": assessment.current_revision() if assessment.is_published else None,
        "posted": posted.data if posted is not None else {},
        "last_return": last_return,
        "changes": _change_rows(last_return, findings) if last_return else [],
        "finding_comment_prefix": FINDING_COMMENT,
        # Said in the confirmation before publishing: who reads the report as soon as it is approved.
        "buyers_with_access": policy.grants_in_force().filter(factory=assessment.factory).count(),
    }
    return render(request, "reports/review.html", context, status=status)


# The head's objections queue


@guard(GET="objections.queue", POST="objection.rule")
def objections(request):
    visible = policy.scope(request.user, "objection.read", Objection.objects, via="finding__assessment")
    visible = visible.select_related("finding__question", "finding__assessment__factory", "revision", "author")
    status, posted = 200, None
    if request.method == "POST":
        posted = RulingForm(request.POST)
        if posted.is_valid():
            data = posted.cleaned_data
            objection = get_object_or_404(visible, pk=data["objection"])
            try:
                ruled = rule_on_objection(
                    objection, request.user, data["decision"], data["ruling"], **posted.revision()
                )
            except DomainError as error:
                messages.error(request, error.message)
                status = error.status
            else:
                messages.success(request, _ruling_message(ruled))
                return redirect("reports:objections")
        else:
            status = 400
    waiting = list(visible.filter(status=Objection.Status.OPEN).order_by("created_at", "pk"))
    for objection in waiting:
        if posted is not None and posted.data.get("objection") == str(objection.pk):
            objection.form = posted
        else:
            objection.form = RulingForm(initial={"objection": objection.pk, "note": objection.finding.note})
        objection.form.auto_id = f"id_objection{objection.pk}_%s"
    ruled = paginate(
        request,
        visible.exclude(status=Objection.Status.OPEN).select_related("ruled_by").order_by("-ruled_at", "-pk"),
        RuledFilterForm(request.GET, prefix="ruled"),
        per_page=RULED_PAGE_SIZE,
    )
    context = {"waiting": waiting, "ruled": ruled}
    return render(request, "reports/objections.html", context, status=max(status, ruled.status))


def _ruling_message(objection):
    if objection.status == Objection.Status.REVISED:
        return _("Finding revised: revision %(number)d of the report is published.") % {
            "number": objection.finding.assessment.current_revision().number
        }
    return _("Finding upheld; the factory sees your ruling.")


# The public record of a factory


@dataclass
class PublishedVisit:
    ref: str
    type_label: str
    visit_start: datetime.date
    visit_end: datetime.date
    revision_number: int
    approved_at: datetime.datetime


@dataclass
class PublicIssue:
    question: Question
    statuses: list  # an Answer per published visit (newest first), None where the question was not asked


@dataclass
class PublicIssueHistory:
    visits: list
    issues: list


def public_issue_history(factory):
    """The publicly reported issues' answers in each published assessment of a factory, newest first.

    Only the current revision of published assessments counts, and only the answers leave it:
    no notes, no other question, nothing of a draft.
    """
    assessments = list(
        Assessment.objects.filter(factory=factory, status__in=PUBLISHED_STATUSES)
        .select_related("checklist_version")
        .order_by("-visit_start", "-pk")
    )
    if not assessments:
        return PublicIssueHistory(visits=[], issues=[])
    current = {
        revision.assessment_id: revision
        for revision in ReportRevision.objects.filter(assessment__in=assessments).order_by("number")
    }  # later numbers overwrite earlier ones: the current revision of each
    visits, answers = [], []
    for assessment in assessments:
        revision = current[assessment.pk]
        visits.append(
            PublishedVisit(
                ref=assessment.ref,
                type_label=Assessment.Type(assessment.type).label,
                visit_start=assessment.visit_start,
                visit_end=assessment.visit_end,
                revision_number=revision.number,
                approved_at=revision.approved_at,
            )
        )
        answers.append(
            {
                finding["question"]: Answer(finding["answer"])
                for finding in of_revision(revision)["findings"]
                if finding["publicly_reported"]
            }
        )
    questions = assessments[0].checklist_version.questions.filter(publicly_reported=True)
    issues = [PublicIssue(question, [by_code.get(question.code) for by_code in answers]) for question in questions]
    return PublicIssueHistory(visits=visits, issues=issues)
