"""Training pages. Who may do what is decided by ims.policy, the rules in ims.training.services."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from ims import policy
from ims.core.errors import DomainError
from ims.core.listing import FactorySearch, paginate
from ims.factories.models import Factory
from ims.policy.guards import guard
from ims.training import exports, impact, services
from ims.training.forms import (
    EnrolmentForm,
    ItemStatusForm,
    ParticipantFormSet,
    PlanItemForm,
    SessionFilterForm,
    SessionForm,
    named_participants,
)
from ims.training.models import Attendance, Enrolment, ImprovementItem, Participant, TrainingProgramme, TrainingSession

UPCOMING_PAGE_SIZE = 20


def visible_enrolments(user):
    """Enrolments (with their participants, attendance and plans) of the factories whose record the user reads."""
    return policy.scope(user, "training.record", Enrolment.objects, via="factory")


def _sessions():
    return TrainingSession.objects.select_related("module__programme", "trainer")


@guard(GET="public.read")
def catalogue(request):
    programmes = TrainingProgramme.objects.annotate(module_count=Count("modules", distinct=True))
    upcoming = paginate(request, _sessions().filter(end_date__gte=timezone.localdate()).order_by("start_date", "pk"),
                        per_page=UPCOMING_PAGE_SIZE)  # fmt: skip
    return render(request, "training/catalogue.html", {
        "programmes": programmes, "upcoming": upcoming, "manages": policy.may_ever(request.user, "training.manage"),
        "reads_all": policy.may_ever(request.user, "training.sessions"),
        "reads_impact": policy.may_ever(request.user, "training.impact"),
    })  # fmt: skip


@guard(GET="public.read")
def programme(request, code):
    programme = get_object_or_404(TrainingProgramme, code=code)
    modules = programme.modules.prefetch_related(Prefetch("sessions", queryset=_sessions().order_by("start_date")))
    return render(request, "training/programme.html", {"programme": programme, "modules": modules})


@guard(GET="training.sessions", POST="training.manage")
def sessions(request):
    manages = policy.may_ever(request.user, "training.manage")
    form, status = None, 200
    if manages:
        form = SessionForm(request.POST or None)
        if request.method == "POST":
            if form.is_valid():
                try:
                    session = services.plan_session(request.user, **form.cleaned_data)
                except DomainError as error:
                    form.add_error(None, error.message)
                    status = error.status
                else:
                    messages.success(request, _("Session planned."))
                    return redirect(session)
            else:
                status = 400
    rows = _sessions().annotate(enrolled=Count("enrolments", filter=~Q(enrolments__status="withdrawn")))
    listing = paginate(request, rows.order_by("-start_date", "-pk"), SessionFilterForm(request.GET))
    context = {"listing": listing, "form": form}
    return render(request, "training/sessions.html", context, status=max(status, listing.status))


def _session_page(request, session, *, enrol_form=None, formset=None, status=200):
    user = request.user
    manages = policy.may_ever(user, "training.manage")
    enrolments = (
        visible_enrolments(user).filter(session=session).select_related("factory")
        .prefetch_related(Prefetch("participants", queryset=Participant.objects.annotate(
            days_present=Count("attendance", filter=Q(attendance__present=True)))))
    ) if user.is_authenticated else Enrolment.objects.none()  # fmt: skip
    if manages and not session.is_closed:
        enrol_form = enrol_form or EnrolmentForm()
        formset = formset or ParticipantFormSet(prefix="people")
    recorded_days = set(
        Attendance.objects.filter(participant__enrolment__session=session).values_list("day", flat=True)
    )
    today = timezone.localdate()
    days = [{"day": day, "recorded": day in recorded_days, "open": day <= today} for day in session.days]
    return render(request, "training/session.html", {
        "session": session, "enrolments": enrolments, "enrol_form": enrol_form if manages else None,
        "formset": formset if manages else None, "manages": manages,
        "runs": policy.allows(user, "training.run", session),
        "days": days, "required_days": services.required_days(session), "today": today,
    }, status=status)  # fmt: skip


@guard(GET="public.read")
def session(request, pk):
    return _session_page(request, get_object_or_404(_sessions(), pk=pk))


@guard(POST="training.manage")
def enrol(request, pk):
    session = get_object_or_404(_sessions(), pk=pk)
    form = EnrolmentForm(request.POST)
    formset = ParticipantFormSet(request.POST, prefix="people")
    if not (form.is_valid() and formset.is_valid()):
        return _session_page(request, session, enrol_form=form, formset=formset, status=400)
    try:
        enrolment = services.enrol_factory(
            request.user, session, form.cleaned_data["factory"], named_participants(formset)
        )
    except DomainError as error:
        form.add_error(None, error.message)
        return _session_page(request, session, enrol_form=form, formset=formset, status=error.status)
    messages.success(request, _("%(factory)s is enrolled.") % {"factory": enrolment.factory.display_name})
    return redirect(session)


@guard(POST="training.manage")
def withdraw(request, pk):
    enrolment = get_object_or_404(visible_enrolments(request.user).select_related("session"), pk=pk)
    return _act(request, enrolment.session, lambda: services.withdraw(request.user, enrolment),
                _("The enrolment was withdrawn and its seats freed."))  # fmt: skip


@guard(GET="training.run", POST="training.run")
def attendance(request, pk, day):
    session = get_object_or_404(_sessions(), pk=pk)
    if not policy.allows(request.user, "training.run", session):
        raise PermissionDenied
    try:
        day = date.fromisoformat(day)
    except ValueError:
        raise Http404 from None
    if day not in session.days:
        raise Http404
    participants = list(services.session_participants(session).select_related("enrolment__factory")
                        .order_by("enrolment__factory__name_en", "pk"))  # fmt: skip
    status = 200
    if request.method == "POST":
        try:
            services.record_attendance(request.user, session, day, request.POST.getlist("present"))
        except DomainError as error:
            messages.error(request, error.message)
            status = error.status
        except ValueError:
            messages.error(request, _("Some of the people marked present are not participants of this session."))
            status = 400
        else:
            messages.success(request, _("Attendance recorded for %(day)s.") % {"day": day.isoformat()})
            return redirect(session)
    present = set(Attendance.objects.filter(participant__in=participants, day=day, present=True)
                  .values_list("participant_id", flat=True))  # fmt: skip
    return render(request, "training/attendance.html", {
        "session": session, "day": day, "participants": participants, "present": present,
    }, status=status)  # fmt: skip


@guard(POST="training.run")
def complete(request, pk):
    session = get_object_or_404(_sessions(), pk=pk)
    if not policy.allows(request.user, "training.run", session):
        raise PermissionDenied
    return _act(request, session, lambda: services.mark_completion(request.user, session),
                _("Completion marked by the programme's rules."))  # fmt: skip


def _act(request, session, action, success):
    try:
        action()
    except DomainError as error:
        messages.error(request, error.message)
        return _session_page(request, session, status=error.status)
    messages.success(request, success)
    return redirect(session)


def _enrolment_page(request, enrolment, *, item_form=None, status=200):
    session = enrolment.session
    participants = list(enrolment.participants.all())
    marks = {(mark.participant_id, mark.day): mark.present
             for mark in Attendance.objects.filter(participant__in=participants)}  # fmt: skip
    for participant in participants:
        participant.marks = [marks.get((participant.pk, day)) for day in session.days]
    items = ImprovementItem.objects.filter(plan__enrolment=enrolment)
    edits = (
        policy.allows(request.user, "training.plan_edit", enrolment.factory)
        and enrolment.status != Enrolment.Status.WITHDRAWN
    )
    return render(request, "training/enrolment.html", {
        "enrolment": enrolment, "session": session, "participants": participants, "items": items,
        "edits": edits, "item_form": (item_form or PlanItemForm()) if edits else None,
        "status_form": ItemStatusForm, "item_statuses": ImprovementItem.Status.choices,
    }, status=status)  # fmt: skip


def _visible_enrolment(request, pk):
    enrolments = visible_enrolments(request.user).select_related("factory", "session__module__programme")
    return get_object_or_404(enrolments, pk=pk)


@guard(GET="training.record", POST="training.plan_edit")
def enrolment(request, pk):
    enrolment = _visible_enrolment(request, pk)
    if request.method != "POST":
        return _enrolment_page(request, enrolment)
    if not policy.allows(request.user, "training.plan_edit", enrolment.factory):
        raise PermissionDenied
    form = PlanItemForm(request.POST)
    if not form.is_valid():
        return _enrolment_page(request, enrolment, item_form=form, status=400)
    try:
        services.add_plan_item(request.user, enrolment, **form.cleaned_data)
    except DomainError as error:
        form.add_error(None, error.message)
        return _enrolment_page(request, enrolment, item_form=form, status=error.status)
    messages.success(request, _("Added to the improvement plan."))
    return redirect(enrolment)


@guard(POST="training.plan_edit")
def item_status(request, pk):
    item = get_object_or_404(
        ImprovementItem.objects.filter(plan__enrolment__in=visible_enrolments(request.user)), pk=pk
    )
    enrolment = _visible_enrolment(request, item.plan.enrolment_id)
    if not policy.allows(request.user, "training.plan_edit", enrolment.factory):
        raise PermissionDenied
    form = ItemStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Unknown status."))
        return _enrolment_page(request, enrolment, status=400)
    try:
        services.set_item_status(request.user, item, form.cleaned_data["status"])
    except DomainError as error:
        messages.error(request, error.message)
        return _enrolment_page(request, enrolment, status=error.status)
    messages.success(request, _("Status updated."))
    return redirect(enrolment)


@guard(GET="training.records_open")
def mine(request):
    """Factory managers land on their factory's training; staff on the sessions."""
    if policy.may_ever(request.user, "training.sessions"):
        return redirect("training:sessions")
    factories = policy.scope(request.user, "training.record", Factory.objects).order_by("name_en", "pk")
    first_two = list(factories[:2])
    if not first_two:
        raise PermissionDenied
    if len(first_two) == 1:
        return redirect("training:factory", first_two[0].ref)
    listing = paginate(request, factories, FactorySearch(request.GET))
    return render(request, "training/mine.html", {"listing": listing}, status=listing.status)


@guard(GET="training.record")
def factory(request, ref):
    factory = get_object_or_404(policy.scope(request.user, "training.record", Factory.objects), ref=ref)
    enrolments = (
        visible_enrolments(request.user).filter(factory=factory)
        .select_related("session__module__programme", "session__trainer")
        .annotate(people=Count("participants", distinct=True))
        .prefetch_related("improvement_plan__items")
        .order_by("-session__start_date")
    )  # fmt: skip
    return render(request, "training/factory.html", {
        "factory": factory, "enrolments": enrolments, "progress": services.programme_progress(factory),
        "is_manager": policy.allows(request.user, "factory.act_for", factory),
    })  # fmt: skip


@guard(GET="training.records_open")
def export(request):
    code = request.GET.get("programme")
    programme = get_object_or_404(TrainingProgramme, code=code) if code else None
    rows = exports.participation_rows(request.user, programme)
    stem = f"participation-{code or 'all'}-{timezone.localdate().isoformat()}"
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            exports.as_xlsx(rows), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="{stem}.xlsx"'
        return response
    response = HttpResponse(exports.as_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
    return response


@guard(GET="training.impact")
def impact_index(request):
    rows = [(programme, impact.programme_impact(programme).summary()) for programme in TrainingProgramme.objects.all()]
    return render(request, "training/impact_index.html", {"rows": rows})


@guard(GET="training.impact")
def impact_programme(request, code):
    programme = get_object_or_404(TrainingProgramme, code=code)
    result = impact.programme_impact(programme)
    return render(request, "training/impact.html", {
        "programme": programme, "result": result, "summary": result.summary(),
        "band_labels": impact.BAND_LABELS, "status_labels": impact.STATUS_LABELS,
    })  # fmt: skip


@guard(GET="training.impact")
def impact_csv(request):
    return _csv_response(impact.summary_csv(TrainingProgramme.objects.all()), "training-impact")


@guard(GET="training.impact")
def impact_programme_csv(request, code):
    programme = get_object_or_404(TrainingProgramme, code=code)
    return _csv_response(impact.factories_csv(impact.programme_impact(programme)), f"training-impact-{code}")


def _csv_response(text, stem):
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
    return response
