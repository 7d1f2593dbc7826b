"""Advisory pages: programme staff record engagement, visits, the committee and the roadmap; a factory
reads its own history. Every lookup starts from the policy's scope (404 outside it); every change
goes through ims.advisory.services."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from ims import policy
from ims.advisory import services
from ims.advisory.forms import (
    CloseCycleForm,
    CommitteeForm,
    CycleForm,
    EngagedFilterForm,
    MeetingForm,
    MemberForm,
    RoadmapItemForm,
    RoadmapStatusForm,
    VisitForm,
)
from ims.advisory.models import AdvisoryVisit, Committee, CommitteeMember, EngagementCycle, RoadmapItem
from ims.core.errors import DomainError
from ims.core.listing import paginate
from ims.factories.models import Factory
from ims.policy.guards import guard


def visible_factories(user):
    return policy.scope(user, "advisory.read", Factory.objects)


@guard(GET="advisory.open")
def index(request):
    """Staff: the factories in an engagement and a way to reach any other; a factory: its own pages."""
    factories = visible_factories(request.user)
    if not policy.may_ever(request.user, "reports.programme"):
        own = list(factories.order_by("name_en"))
        if len(own) == 1:
            return redirect("advisory:factory", own[0].ref)
        return render(request, "advisory/index.html", {"own_factories": own})
    ref = request.GET.get("factory", "").strip()
    if ref:
        factory = factories.filter(ref__iexact=ref).first()
        if factory:
            return redirect("advisory:factory", factory.ref)
        messages.error(request, _("No factory has the reference %(ref)s.") % {"ref": ref})
    engaged = (
        factories.filter(engagement_cycles__isnull=False)
        .annotate(
            open_cycles=Count("engagement_cycles", filter=Q(engagement_cycles__end__isnull=True), distinct=True),
            visits=Count("engagement_cycles__visits", distinct=True),
        )
        .prefetch_related(
            Prefetch("engagement_cycles", EngagementCycle.objects.select_related("advisor"), to_attr="cycles")
        )
        .order_by("name_en", "pk")
    )
    listing = paginate(request, engaged, EngagedFilterForm(request.GET, prefix="engaged"))
    context = {"engaged": listing, "ref": ref, "can_record": policy.may_ever(request.user, "advisory.record")}
    return render(request, "advisory/index.html", context, status=listing.status)


@guard(GET="advisory.read")
def factory_page(request, ref):
    factory = get_object_or_404(visible_factories(request.user), ref=ref)
    return _render_factory(request, factory)


def _render_factory(request, factory, status=200):
    cycles = factory.engagement_cycles.select_related("advisor").prefetch_related(
        Prefetch("visits", AdvisoryVisit.objects.select_related("advisor")), "roadmap"
    )
    committees = factory.committees.prefetch_related("members", "meetings")
    context = {
        "factory": factory,
        "cycles": cycles,
        "committees": committees,
        "can_record": policy.may_ever(request.user, "advisory.record"),
        "roadmap_statuses": RoadmapItem.Status.choices,
    }
    return render(request, "advisory/factory.html", context, status=status)


def _record(request, factory, form_class, perform, title, initial=None):
    """A page with one form: valid input goes to the service, and back to the factory's page when done."""
    if not policy.allows(request.user, "advisory.record", factory):
        raise PermissionDenied
    form = form_class(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                perform(form.cleaned_data)
            except DomainError as error:
                messages.error(request, error.message)
                status = error.status
            else:
                messages.success(request, _("Saved."))
                return redirect("advisory:factory", factory.ref)
    return render(request, "advisory/record.html", {"factory": factory, "form": form, "title": title}, status=status)


def _cycle(request, pk):
    return get_object_or_404(
        EngagementCycle.objects.filter(factory__in=visible_factories(request.user)).select_related("factory"), pk=pk
    )


def _committee(request, pk):
    return get_object_or_404(
        Committee.objects.filter(factory__in=visible_factories(request.user)).select_related("factory"), pk=pk
    )


@guard(GET="advisory.record", POST="advisory.record")
def start_cycle(request, ref):
    factory = get_object_or_404(visible_factories(request.user), ref=ref)
    initial = {"advisor": request.user.pk} if policy.may_ever(request.user, "advisory.be_advisor") else None
    return _record(
        request, factory, CycleForm,
        lambda data: services.start_cycle(factory, request.user, **data),
        gettext_lazy("Start an engagement cycle"), initial,
    )  # fmt: skip


@guard(GET="advisory.record", POST="advisory.record")
def close_cycle(request, pk):
    cycle = _cycle(request, pk)
    return _record(
        request, cycle.factory, CloseCycleForm,
        lambda data: services.close_cycle(cycle, request.user, **data), gettext_lazy("Close the engagement cycle"),
    )  # fmt: skip


@guard(GET="advisory.record", POST="advisory.record")
def record_visit(request, pk):
    cycle = _cycle(request, pk)
    initial = {"note_language": get_language(), "advisor": cycle.advisor_id}
    return _record(
        request, cycle.factory, VisitForm,
        lambda data: services.record_visit(cycle, request.user, **data), gettext_lazy("Record an advisory visit"),
        initial,
    )  # fmt: skip


@guard(GET="advisory.record", POST="advisory.record")
def add_roadmap_item(request, pk):
    cycle = _cycle(request, pk)
    return _record(
        request, cycle.factory, RoadmapItemForm,
        lambda data: services.add_roadmap_item(cycle, request.user, **data), gettext_lazy("Add a roadmap item"),
        {"language": get_language()},
    )  # fmt: skip


@guard(POST="advisory.record")
def roadmap_status(request, pk):
    item = get_object_or_404(
        RoadmapItem.objects.filter(cycle__factory__in=visible_factories(request.user)).select_related("cycle__factory"),
        pk=pk,
    )
    return _record(
        request, item.cycle.factory, RoadmapStatusForm,
        lambda data: services.set_roadmap_status(item, request.user, **data), gettext_lazy("Roadmap item status"),
    )  # fmt: skip


@guard(GET="advisory.record", POST="advisory.record")
def form_committee(request, ref):
    factory = get_object_or_404(visible_factories(request.user), ref=ref)
    return _record(
        request, factory, CommitteeForm,
        lambda data: services.form_committee(factory, request.user, **data),
        gettext_lazy("Record a worker-management committee"),
    )  # fmt: skip


@guard(GET="advisory.record", POST="advisory.record")
def add_member(request, pk):
    committee = _committee(request, pk)
    return _record(
        request, committee.factory, MemberForm,
        lambda data: services.add_member(committee, request.user, **data), gettext_lazy("Add a committee member"),
    )  # fmt: skip


@guard(POST="advisory.record")
def member_active(request, pk):
    member = get_object_or_404(
        CommitteeMember.objects.filter(committee__factory__in=visible_factories(request.user)).select_related(
            "committee__factory"
        ),
        pk=pk,
    )
    factory = member.committee.factory
    if not policy.allows(request.user, "advisory.record", factory):
        raise PermissionDenied
    try:
        services.set_member_active(member, request.user, is_active=request.POST.get("is_active") == "true")
    except DomainError as error:
        messages.error(request, error.message)
        return _render_factory(request, factory, status=error.status)
    messages.success(request, _("Saved."))
    return redirect("advisory:factory", factory.ref)


@guard(GET="advisory.record", POST="advisory.record")
def record_meeting(request, pk):
    committee = _committee(request, pk)
    return _record(
        request, committee.factory, MeetingForm,
        lambda data: services.record_meeting(committee, request.user, **data),
        gettext_lazy("Record a committee meeting"), {"language": get_language()},
    )  # fmt: skip
