"""Remediation pages: the overdue actions across factories for programme staff, and each factory's tracker.

Every lookup starts from the policy's scope (404 outside it); the factory changes its actions on
the action plan pages of ims.responses, which the tracker links to.
"""

from django.shortcuts import redirect, render

from ims import policy
from ims.assessments.models import Assessment
from ims.core.listing import FactorySearch, paginate
from ims.factories.models import Factory
from ims.policy.guards import guard
from ims.remediation.forms import OverdueFilterForm
from ims.remediation.services import (
    overdue_by_factory,
    overdue_items,
    overdue_list,
    state_counts,
    today,
    tracker,
    with_days_overdue,
)

OVERDUE_PAGE_SIZE = 50


def visible_factories(user):
    return policy.scope(user, "remediation.read", Factory.objects)


@guard(GET="remediation.open")
def index(request):
    if policy.may_ever(request.user, "remediation.overdue"):
        return redirect("remediation:overdue")
    factories = visible_factories(request.user).order_by("name_en", "pk")
    if len(first_two := list(factories[:2])) == 1:
        return redirect("remediation:factory", first_two[0].ref)
    listing = paginate(request, factories, FactorySearch(request.GET))
    return render(request, "remediation/index.html", {"listing": listing}, status=listing.status)


@guard(GET="remediation.overdue")
def overdue(request):
    factories = visible_factories(request.user)
    day = today()
    form = OverdueFilterForm(request.GET)
    listing = paginate(request, overdue_list(factories, day), form, per_page=OVERDUE_PAGE_SIZE)
    with_days_overdue(listing.page.object_list, day)
    by_factory = overdue_by_factory(form.filter(overdue_items(day).filter(finding__assessment__factory__in=factories)))
    context = {"listing": listing, "today": day, "by_factory": by_factory}
    return render(request, "remediation/overdue.html", context, status=listing.status)


@guard(GET="remediation.read")
def factory_tracker(request, ref):
    factory = policy.get_or_404(request.user, "remediation.read", Factory.objects, ref=ref)
    cases = tracker(factory)
    # The factory's managers post and update actions on reports still open to responses.
    visits = Assessment.objects.filter(pk__in={case.visit.pk for case in cases})
    updatable = set(policy.scope(request.user, "action.update", visits).values_list("pk", flat=True))
    extendable = set(policy.scope(request.user, "action.add", visits).values_list("pk", flat=True))
    for case in cases:
        case.can_respond = case.visit.pk in updatable
        case.can_add = case.visit.pk in extendable
    staff = policy.may_ever(request.user, "remediation.overdue")
    context = {"factory": factory, "cases": cases, "counts": state_counts(cases), "staff": staff}
    return render(request, "remediation/tracker.html", context)
