"""The factory's answers to its published report: objections and a corrective action plan.

Each page starts from the findings the user may see (404 otherwise) and leaves every rule to
ims.responses.services; a refusal is shown with its reason and its HTTP status.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ims.assessments.models import Assessment, Finding
from ims.core.errors import DomainError
from ims.responses.forms import ActionForm, ActionUpdateForm, ObjectionForm
from ims.responses.models import ActionPlanItem
from ims.responses.services import add_action, can_respond, object_to_finding, update_action


def _visible_findings(user):
    return Finding.objects.filter(assessment__in=Assessment.objects.visible_to(user)).select_related(
        "assessment__factory", "question__compliance_point__cluster"
    )


def _respondable(user, finding):
    if not can_respond(user, finding.assessment):
        raise PermissionDenied
    return finding


def report_url(finding):
    """The finding in the current revision of its report."""
    revision = finding.assessment.current_revision()
    url = reverse("reports:revision", args=[finding.assessment.ref, revision.number])
    return f"{url}#finding-{finding.question.code}"


def _run(request, form, perform, success_message):
    """Validate a POSTed form and call the service; returns (redirect, None) when done, else (None, status)."""
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


@login_required
def object_to(request, finding_id):
    finding = _respondable(request.user, get_object_or_404(_visible_findings(request.user), pk=finding_id))
    form = ObjectionForm(request.POST or None, initial={"language": get_language()})
    done, status = _run(
        request,
        form,
        lambda data: object_to_finding(finding, request.user, data["text"], data["language"]).finding,
        _("Your objection was sent to the programme head."),
    )
    return done or render(request, "responses/object.html", {"finding": finding, "form": form}, status=status)


@login_required
def add_corrective_action(request, finding_id):
    finding = _respondable(request.user, get_object_or_404(_visible_findings(request.user), pk=finding_id))
    form = ActionForm(request.POST or None)
    done, status = _run(
        request,
        form,
        lambda data: add_action(finding, request.user, data["action"], data["owner"], data["due_date"]).finding,
        _("The corrective action was added to your plan."),
    )
    return done or render(request, "responses/add_action.html", {"finding": finding, "form": form}, status=status)


@login_required
def update_corrective_action(request, item_id):
    items = ActionPlanItem.objects.filter(finding__in=_visible_findings(request.user)).select_related(
        "finding__assessment__factory", "finding__question"
    )
    item = get_object_or_404(items, pk=item_id)
    _respondable(request.user, item.finding)
    form = ActionUpdateForm(request.POST or None, initial={"status": item.status, "row_version": item.row_version})
    done, status = _run(
        request,
        form,
        lambda data: update_action(item, request.user, data["row_version"], data["status"], data["note"]).finding,
        _("The corrective action was updated."),
    )
    if status == 409:
        # Show what is stored now: the user reloads to edit from it rather than overwrite it.
        item.refresh_from_db()
    context = {"item": item, "finding": item.finding, "form": form, "conflict": status == 409}
    return done or render(request, "responses/update_action.html", context, status=status)
