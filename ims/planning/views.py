"""The head's visit planning page (factories ranked by risk) and the low-compliance cases."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from ims import policy
from ims.core.errors import DomainError
from ims.core.listing import paginate
from ims.core.sentences import one_full_stop
from ims.factories.models import Factory
from ims.planning import cases as case_services
from ims.planning import risk
from ims.planning.forms import CaseFilterForm, CloseCaseForm, JointVisitForm, RankingFilterForm
from ims.planning.models import LowComplianceCase
from ims.policy.guards import guard

RANKED_PAGE_SIZE = 50


@guard(GET="planning.risk")
def visit_planning(request):
    ranked = risk.rank()
    listing = paginate(request, ranked, RankingFilterForm(request.GET), per_page=RANKED_PAGE_SIZE)
    context = {
        "listing": listing,
        "total": len(ranked),
        "weights": [(risk.LABELS[key], weight) for key, weight in risk.WEIGHTS.items()],
        "may_plan": policy.may_ever(request.user, "assessment.plan"),
    }
    return render(request, "planning/visit_planning.html", context, status=listing.status)


@guard(GET="lowcompliance.read", POST="lowcompliance.manage")
def cases(request):
    if request.method == "POST":
        factory = Factory.objects.filter(ref=request.POST.get("factory", "")).first()
        if factory is None:
            messages.error(request, _("Choose a factory."))
            return redirect("planning:cases")
        try:
            case = case_services.open_case(request.user, factory)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("planning:cases")
        messages.success(request, one_full_stop(_("Case opened for %(factory)s.") % {"factory": factory.display_name}))
        return redirect("planning:case", pk=case.pk)
    cases = LowComplianceCase.objects.select_related("factory").order_by("-opened_on", "-pk")
    listing = paginate(request, cases, CaseFilterForm(request.GET))
    context = {
        "listing": listing,
        "to_open": case_services.cases_to_open(),
        "manages": policy.may_ever(request.user, "lowcompliance.manage"),
    }
    return render(request, "planning/cases.html", context, status=listing.status)


@guard(GET="lowcompliance.read", POST="lowcompliance.manage")
def case(request, pk):
    found = get_object_or_404(LowComplianceCase.objects.select_related("factory", "opened_by"), pk=pk)
    visit_form, close_form = JointVisitForm(), CloseCaseForm()
    status = 200
    if request.method == "POST":
        step = request.POST.get("step", "")
        form = JointVisitForm(request.POST) if step == "joint_visit" else CloseCaseForm(request.POST)
        if step == "joint_visit":
            visit_form = form
        else:
            close_form = form
        if form.is_valid():
            try:
                if step == "joint_visit":
                    case_services.record_joint_visit(request.user, found, **form.cleaned_data)
                else:
                    case_services.close_case(request.user, found, **form.cleaned_data)
            except DomainError as error:
                form.add_error(None, error.message)
                status = error.status
            else:
                messages.success(request, _("Case updated."))
                return redirect("planning:case", pk=found.pk)
        else:
            status = 400
    context = {
        "case": found,
        "visit_form": visit_form,
        "close_form": close_form,
        "manages": policy.may_ever(request.user, "lowcompliance.manage"),
    }
    return render(request, "planning/case.html", context, status=status)
