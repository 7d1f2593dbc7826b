"""The factory's answers to its published report: objections and a corrective action plan.

Each page starts from the findings of reports the user may read (404 otherwise), shows the finding
as the published revision states it (never a working copy under correction), and leaves every rule
to ims.responses.services and the policy; a refusal is shown with its reason and its HTTP status.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ims import policy
from ims.assessments.models import Answer, Finding
from ims.assessments.publishing import published_finding
from ims.core.errors import DomainError
from ims.policy.guards import guard
from ims.responses.forms import ActionForm, ActionUpdateForm, ObjectionForm
from ims.responses.models import ActionPlanItem
from ims.responses.services import add_action, check_may_respond, object_to_finding, update_action


@dataclass
class PublishedFinding:
    """A finding as its latest published revision shows it."""

    finding: Finding
    answer: str
    note: str
    note_language: str

    @property
    def assessment(self):
        return self.finding.assessment

    @property
    def question(self):
        return self.finding.question

    def get_answer_display(self):
        return Answer(self.answer).label


def _published(finding):
    row = published_finding(finding)
    if row is None:  # a finding the published revision does not list (added during a correction)
        raise Http404
    return PublishedFinding(finding, row["answer"], row["note"], row["note_language"])


def _readable_findings(user):
    return policy.scope(user, "report.read", Finding.objects, via="assessment").select_related(
        "assessment__factory", "question__compliance_point__cluster"
    )


def _refusal(request, finding, action):
    """None if the user may take the action now; else the DomainError that says why (403 or 409)."""
    try:
        check_may_respond(finding, request.user, action)
    except DomainError as error:
        if error.status == 403:
            raise PermissionDenied from None
        return error
    return None


def report_url(finding):
    """The finding in the current revision of its report."""
    revision = finding.assessment.current_revision()
    url = reverse("reports:revision", args=[finding.assessment.ref, revision.number])
    return f"{url}#finding-{finding.question.code}"


def _run(request, form, perform, success_message, refusal):
    """Validate a POSTed form and call the service; returns (redirect, None) when done, else (None, status)."""
    if refusal is not None:
        messages.error(request, refusal.message)
        return None, refusal.status
    if request.method != "POST":
        return None, 200
    if not form.is_valid():
        return None, 400
    try:
        finding = perform(form.cleaned_data)
    except DomainError as error:
        messages.error(request, error.message)
        return None, error.status
    messages.success(request, success_message)
    return redirect(report_url(finding)), None


def _page(request, template, context, status, refusal):
    return render(request, template, {**context, "closed": refusal is not None}, status=status)


@guard(GET="objection.file", POST="objection.file")
def object_to(request, finding_id):
    finding = get_object_or_404(_readable_findings(request.user), pk=finding_id)
    refusal = _refusal(request, finding, "objection.file")
    form = ObjectionForm(request.POST or None, initial={"language": get_language()})
    done, status = _run(
        request,
        form,
        lambda data: object_to_finding(finding, request.user, data["text"], data["language"]).finding,
        _("Your objection was sent to the programme head."),
        refusal,
    )
    context = {"finding": _published(finding), "form": form}
    return done or _page(request, "responses/object.html", context, status, refusal)


@guard(GET="action.add", POST="action.add")
def add_corrective_action(request, finding_id):
    finding = get_object_or_404(_readable_findings(request.user), pk=finding_id)
    refusal = _refusal(request, finding, "action.add")
    form = ActionForm(request.POST or None)
    done, status = _run(
        request,
        form,
        lambda data: add_action(finding, request.user, data["action"], data["owner"], data["due_date"]).finding,
        _("The corrective action was added to your plan."),
        refusal,
    )
    context = {"finding": _published(finding), "form": form}
    return done or _page(request, "responses/add_action.html", context, status, refusal)


@guard(GET="action.update", POST="action.update")
def update_corrective_action(request, item_id):
    items = ActionPlanItem.objects.filter(finding__in=_readable_findings(request.user)).select_related(
        "finding__assessment__factory", "finding__question"
    )
    item = get_object_or_404(items, pk=item_id)
    refusal = _refusal(request, item.finding, "action.update")
    form = ActionUpdateForm(request.POST or None, initial={"status": item.status, "row_version": item.row_version})
    done, status = _run(
        request,
        form,
        lambda data: update_action(item, request.user, data["row_version"], data["status"], data["note"]).finding,
        _("The corrective action was updated."),
        refusal,
    )
    if status == 409 and refusal is None:
        # Show what is stored now: the user reloads to edit from it rather than overwrite it.
        item.refresh_from_db()
    context = {"item": item, "finding": _published(item.finding), "form": form,
               "conflict": status == 409 and refusal is None}  # fmt: skip
    return done or _page(request, "responses/update_action.html", context, status, refusal)
