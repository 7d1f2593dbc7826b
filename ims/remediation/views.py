"""Remediation pages: the overdue actions across factories for programme staff, and each factory's tracker.

Every lookup starts from ims.remediation.access (404 outside it); the factory changes its actions on
the action plan pages of ims.responses, which the tracker links to.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render

from ims.assessments.models import Assessment
from ims.remediation.access import oversees_all, visible_factories
from ims.remediation.services import overdue_items, overdue_list, state_counts, today, tracker, with_days_overdue
from ims.responses.services import can_respond

OVERDUE_PAGE_SIZE = 50


@login_required
def index(request):
    if oversees_all(request.user):
        return redirect("remediation:overdue")
    factories = list(visible_factories(request.user).order_by("name_en"))
    if len(factories) == 1:
        return redirect("remediation:factory", factories[0].ref)
    return render(request, "remediation/index.html", {"factories": factories})


@login_required
def overdue(request):
    if not oversees_all(request.user):
        raise PermissionDenied
    factories = visible_factories(request.user)
    ref = request.GET.get("factory", "").strip()
    if ref:
        factories = factories.filter(ref__iexact=ref)
    day = today()
    page = Paginator(overdue_list(factories, day), OVERDUE_PAGE_SIZE).get_page(request.GET.get("page"))
    with_days_overdue(page.object_list, day)
    by_factory = (
        overdue_items(day)
        .filter(finding__assessment__factory__in=factories)
        .values("finding__assessment__factory__ref", "finding__assessment__factory__name_en")
        .annotate(actions=Count("pk"))
        .order_by("-actions", "finding__assessment__factory__ref")
    )
    context = {"page": page, "ref": ref, "today": day, "by_factory": by_factory}
    return render(request, "remediation/overdue.html", context)


@login_required
def factory_tracker(request, ref):
    factory = get_object_or_404(visible_factories(request.user), ref=ref)
    cases = tracker(factory)
    # The factory's managers post and update actions on reports still open to responses.
    respondable = {
        assessment.pk
        for assessment in Assessment.objects.filter(pk__in={case.visit.pk for case in cases})
        if can_respond(request.user, assessment)
    }
    for case in cases:
        case.can_respond = case.visit.pk in respondable
    context = {"factory": factory, "cases": cases, "counts": state_counts(cases), "staff": oversees_all(request.user)}
    return render(request, "remediation/tracker.html", context)
