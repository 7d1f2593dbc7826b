"""Every list that grows without bound: its search and filters keep exactly the rows they name, the rest of them
are on the next page, and the page links keep the filters (ims.core.listing).

Each test makes rows of two kinds, filters for one kind and compares with the rows it made of that kind. The
page size is made small (a monkeypatched constant) so that a few rows fill two pages.
"""

from datetime import date, datetime, timedelta
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from ims.accounts.models import Organisation, Role
from ims.advisory.models import EngagementCycle
from ims.assessments.models import Answer, Assessment, Finding, ReportRevision, Status
from ims.assessments.workflow import plan_assessment
from ims.audit.models import AuditEvent
from ims.core import listing
from ims.factories.models import Contact, Factory
from ims.notifications.models import Notice, Notification
from ims.people.models import AccessRequest, Invitation
from ims.planning.models import LowComplianceCase
from ims.readings.models import Breach
from ims.readings.services import register_device
from ims.responses.grants import grant_access, revoke_access
from ims.responses.models import ActionPlanItem, Objection
from ims.training import services as training
from ims.training.catalogue import load_catalogue
from ims.training.models import TrainingModule
from ims.voice import services as voice
from ims.voice.models import Alert

PAGE = 3


@pytest.fixture
def small_pages(monkeypatch):
    """Three rows a page, whichever constant the list's view pages by."""
    for constant in ("ims.core.listing.PAGE_SIZE", "ims.audit.views.AUDIT_PAGE_SIZE",
                     "ims.remediation.views.OVERDUE_PAGE_SIZE", "ims.voice.views.ALERTS_PAGE_SIZE",
                     "ims.planning.views.RANKED_PAGE_SIZE", "ims.reports.pages.APPROVED_PAGE_SIZE",
                     "ims.reports.pages.RULED_PAGE_SIZE", "ims.notifications.views.LETTERS_PAGE_SIZE",
                     "ims.training.views.UPCOMING_PAGE_SIZE"):  # fmt: skip
        monkeypatch.setattr(constant, PAGE)


@pytest.fixture
def lotus(make_factory):
    """A factory found by a fragment of any of its names, "lotus" or "ឡូតុស" or "莲花"."""
    return make_factory("LOTUS-1", name_en="Lotus Knitwear", name_km="ឡូតុសនីត", name_zh="莲花针织")


def shown(response, listing_of, key):
    assert response.status_code == 200, response.content.decode()[:2000]
    found = listing_of(response.context)
    return found, [key(row) for row in found.page.object_list]


def assert_filtered_and_paged(client, path, params, expected, key, listing_of=lambda context: context["listing"]):
    """The list filtered by params holds exactly `expected` (as key(row) gives them): PAGE on the first page, the
    rest on the second, which the first page links to with the filters kept."""
    first = client.get(path, params)
    found, page_one = shown(first, listing_of, key)
    assert len(expected) > PAGE, "the test needs a second page"
    assert len(page_one) == PAGE
    link = f"?{urlencode(params)}&{found.page_parameter}=2"
    assert f'href="{escape(link)}"' in first.content.decode()
    _found, page_two = shown(client.get(path, {**params, found.page_parameter: 2}), listing_of, key)
    assert sorted(page_one + page_two) == sorted(expected)


# --- the pieces -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_factory_is_found_by_a_fragment_of_any_of_its_names_or_by_its_reference(lotus, make_factory):
    make_factory("OTHER-1", name_en="Orchid Apparel")
    for text in ("lotus", "ឡូតុស", "莲花", "lotus-1", "KNIT"):
        assert list(Factory.objects.filter(listing.factory_matches(text))) == [lotus], text


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [{"since": "2026-02-30"}, {"since": "1"}, {"until": "²"}, {"factory": "x" * 5000}, {"action": "no.such"},
     {"since": "2026-03-02", "until": "2026-03-01"}],
)  # fmt: skip
def test_a_malformed_filter_is_answered_with_a_clear_error_and_no_rows(client, team, query):
    AuditEvent.objects.create(action="test.event", object_type="test", object_id="1")
    client.force_login(team.head)
    response = client.get(reverse("audit:log"), query)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert list(response.context["listing"].page.object_list) == []


@pytest.mark.django_db
def test_an_empty_filtered_list_says_that_nothing_matches(client, team):
    AuditEvent.objects.create(action="test.event", object_type="test", object_id="1")
    client.force_login(team.head)
    html = client.get(reverse("audit:log"), {"factory": "nothing like it"}).content.decode()
    assert "Nothing matches these filters." in html
    with_nothing = client.get(reverse("audit:log"), {"factory": "nothing like it"}, HTTP_ACCEPT_LANGUAGE="km")
    assert with_nothing.status_code == 200


# --- the lists ----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_audit_log_by_factory_person_action_and_dates(client, team, lotus, small_pages):
    def event(number, factory, actor, day):
        made = AuditEvent.objects.create(action="test.event" if number % 3 else "test.other", actor=actor,
                                         factory=factory, object_type="test", object_id=str(number))  # fmt: skip
        AuditEvent.objects.filter(pk=made.pk).update(at=timezone.make_aware(datetime.combine(day, datetime.min.time())))
        return made

    events = [event(number, lotus if number % 2 else team.factory, team.monitor if number < 6 else team.head,
                    date(2026, 3, 1) + timedelta(days=number)) for number in range(12)]  # fmt: skip
    client.force_login(team.head)
    path = reverse("audit:log")
    at_lotus = [str(item.pk) for item in events if item.factory == lotus]
    assert_filtered_and_paged(client, path, {"factory": "ឡូតុស"}, at_lotus, lambda row: str(row.pk))
    by_monitor = client.get(path, {"actor": "monitor@team", "until": "2026-03-03"}).context["listing"].page.object_list
    assert sorted(item.pk for item in by_monitor) == [item.pk for item in events[:3]]
    _found, other = shown(client.get(path, {"action": "test.other", "since": "2026-03-04", "until": "2026-03-08"}),
                          lambda c: c["listing"], lambda row: row.object_id)  # fmt: skip
    assert sorted(other) == ["3", "6"]


@pytest.mark.django_db
def test_the_planning_cases_by_factory_outcome_and_dates(client, team, lotus, small_pages):
    for number in range(8):
        factory = (
            lotus
            if number % 2
            else Factory.objects.create(
                ref=f"CASE-{number}", name_en=f"Case {number}", sector="garment", province=lotus.province
            )
        )
        LowComplianceCase.objects.create(
            factory=factory,
            opened_on=date(2026, 1, 1) + timedelta(days=number),
            opened_by=team.head,
            outcome="open" if number == 7 else "improved" if number % 2 else "open",
        )
    client.force_login(team.head)
    path = reverse("planning:cases")
    at_lotus = list(LowComplianceCase.objects.filter(factory=lotus).values_list("pk", flat=True))
    assert_filtered_and_paged(client, path, {"factory": "lotus"}, at_lotus, lambda row: row.pk)
    window = {"opened_from": "2026-01-02", "opened_until": "2026-01-04", "outcome": "open"}
    _found, opened = shown(client.get(path, window), lambda c: c["listing"], lambda row: row.opened_on)
    assert opened == [date(2026, 1, 3)]


@pytest.mark.django_db
def test_the_visit_planning_ranking_by_factory_keeps_each_factorys_place(client, team, make_factory, small_pages):
    lotuses = [make_factory(f"LOT-{number}", name_en=f"Lotus {number}", name_km=f"ឡូតុស {number}")
               for number in range(5)]  # fmt: skip
    client.force_login(team.head)
    path = reverse("planning:visits")
    assert_filtered_and_paged(client, path, {"factory": "ឡូតុស"}, [factory.ref for factory in lotuses],
                              lambda risk: risk.factory.ref)  # fmt: skip
    ranked = client.get(path, {"factory": "LOT-3"}).context["listing"].page.object_list
    assert [risk.factory.ref for risk in ranked] == ["LOT-3"]
    # Nothing is known of any factory: they all score the same and rank by reference.
    assert ranked[0].position == 1 + sorted(Factory.objects.exclude(status=Factory.Status.CLOSED)
                                            .values_list("ref", flat=True)).index("LOT-3")  # fmt: skip


@pytest.fixture
def trainer(make_user, programme):
    return make_user("trainer@team.example", Role.TRAINER, programme)


@pytest.fixture
def sessions(trainer, programme_admin, lotus, make_user, programme):
    """Eight sessions a week apart from next month; lotus is enrolled in the odd ones; the last three by another
    trainer."""
    load_catalogue()
    module = TrainingModule.objects.order_by("programme__order", "order").first()
    other_trainer = make_user("dara.coach@team.example", Role.TRAINER, programme)
    first = timezone.localdate() + timedelta(days=30)
    made = []
    for number in range(8):
        day = first + timedelta(days=7 * number)
        session = training.plan_session(programme_admin, module=module, start_date=day, end_date=day, venue="Hall",
                                        languages=["km"], trainer=other_trainer if number >= 5 else trainer,
                                        capacity=30)  # fmt: skip
        if number % 2:
            training.enrol_factory(programme_admin, session, lotus,
                                   [{"name": "Sokha", "role": "management", "gender": "female"}])  # fmt: skip
        made.append(session)
    return SimpleNamespace(all=made, module=module, first=first, other_trainer=other_trainer)


@pytest.mark.django_db
def test_the_training_sessions_by_enrolled_factory_programme_trainer_and_dates(
    client, team, sessions, programme_admin, small_pages
):
    client.force_login(programme_admin)
    path = reverse("training:sessions")
    with_lotus = [session.pk for number, session in enumerate(sessions.all) if number % 2]
    assert_filtered_and_paged(client, path, {"factory": "莲花"}, with_lotus, lambda row: row.pk)
    by_dara = client.get(path, {"trainer": "dara"}).context["listing"].page.object_list
    assert sorted(session.pk for session in by_dara) == sorted(session.pk for session in sessions.all[5:])
    window = {"since": (sessions.first + timedelta(days=7)).isoformat(),
              "until": (sessions.first + timedelta(days=14)).isoformat(),
              "programme": sessions.module.programme.code}  # fmt: skip
    in_window = client.get(path, window).context["listing"].page.object_list
    assert sorted(session.pk for session in in_window) == [sessions.all[1].pk, sessions.all[2].pk]


@pytest.mark.django_db
def test_the_catalogues_coming_sessions_are_paged(client, sessions, small_pages):
    path = reverse("training:catalogue")
    first = client.get(path)
    assert [session.pk for session in first.context["upcoming"].page.object_list] == [s.pk for s in sessions.all[:3]]
    assert 'href="?page=2"' in first.content.decode()
    last = client.get(path, {"page": 3}).context["upcoming"].page.object_list
    assert [session.pk for session in last] == [session.pk for session in sessions.all[6:]]


def approved_visit(team, content, factory, day, monitors, approved_on):
    """An assessment as publication leaves it (its report's body is not read by the lists)."""
    visit = plan_assessment(factory=factory, version=content, actor=team.head, visit_start=day, visit_end=day,
                            monitors=monitors)  # fmt: skip
    Assessment.objects.filter(pk=visit.pk).update(status=Status.APPROVED)
    revision = ReportRevision.objects.create(assessment=visit, number=1, approved_by=team.head, snapshot={})
    moment = timezone.make_aware(datetime.combine(approved_on, datetime.min.time()) + timedelta(hours=12))
    ReportRevision.objects.filter(pk=revision.pk).update(approved_at=moment)
    return visit


@pytest.mark.django_db
def test_the_approved_reports_by_factory_monitor_and_day_approved(client, team, content, lotus, small_pages):
    made = []
    for number in range(8):
        day = date(2026, 2, 2) + timedelta(days=number)
        made.append(
            approved_visit(
                team,
                content,
                lotus if number % 2 else team.factory,
                day,
                [team.monitor2] if number >= 5 else [team.monitor],
                day + timedelta(days=3),
            )
        )
    client.force_login(team.head)
    path = reverse("reports:index")

    def approved(context):
        return context["staff"]["approved"]

    at_team = [visit.ref for visit in made if visit.factory == team.factory]
    assert_filtered_and_paged(client, path, {"approved-factory": "团队"}, at_team, lambda row: row.ref, approved)
    by_second = approved(client.get(path, {"approved-monitor": "monitor2"}).context).page.object_list
    assert sorted(visit.ref for visit in by_second) == sorted(visit.ref for visit in made[5:])
    window = {"approved-since": "2026-02-06", "approved-until": "2026-02-07"}
    in_window = approved(client.get(path, window).context).page.object_list
    assert sorted(visit.ref for visit in in_window) == sorted(visit.ref for visit in made[1:3])


@pytest.mark.django_db
def test_the_ruled_objections_by_factory_decision_and_day(client, team, content, lotus, small_pages):
    visits = {factory: approved_visit(team, content, factory, date(2026, 2, 2), [team.monitor], date(2026, 2, 5))
              for factory in (lotus, team.factory)}  # fmt: skip
    questions = list(content.questions.order_by("pk")[:8])
    made = []
    for number in range(8):
        visit = visits[lotus if number % 2 else team.factory]
        finding = Finding.objects.create(assessment=visit, question=questions[number], answer=Answer.NON_COMPLIANT,
                                         updated_by=team.monitor)  # fmt: skip
        objection = Objection.objects.create(
            finding=finding,
            revision=visit.revisions.get(),
            author=team.manager,
            text="We object.",
            language="en",
            status="revised" if number % 4 == 1 else "upheld",
            ruling="Ruled.",
            ruled_by=team.head,
            ruled_at=timezone.make_aware(datetime(2026, 3, 1 + number, 12)),
        )
        made.append(objection)
    client.force_login(team.head)
    path = reverse("reports:objections")

    def ruled(context):
        return context["ruled"]

    at_lotus = [objection.pk for objection in made if objection.finding.assessment.factory == lotus]
    assert_filtered_and_paged(client, path, {"ruled-factory": "Lotus"}, at_lotus, lambda row: row.pk, ruled)
    revised = ruled(client.get(path, {"ruled-decision": "revised", "ruled-since": "2026-03-03"}).context)
    assert [objection.pk for objection in revised.page.object_list] == [made[5].pk]


@pytest.mark.django_db
def test_ones_notifications_by_factory_kind_unread_and_day(client, team, lotus, small_pages):
    made = []
    for number in range(8):
        notice = Notice.objects.create(
            recipient=team.head, event="submitted" if number % 3 else "ruling", event_key=f"list-{number}",
            factory=lotus if number % 2 else team.factory, params={"ref": f"REF-{number}"},
            link_name="reports:index", read_at=timezone.now() if number < 4 else None,
        )  # fmt: skip
        Notice.objects.filter(pk=notice.pk).update(created_at=timezone.make_aware(datetime(2026, 4, 1 + number, 9)))
        made.append(notice)
    Notice.objects.create(recipient=team.monitor, event="submitted", event_key="not-mine", factory=lotus,
                          link_name="reports:index")  # fmt: skip
    client.force_login(team.head)
    path = reverse("notifications:notices")
    at_lotus = [notice.pk for notice in made if notice.factory == lotus]
    assert_filtered_and_paged(client, path, {"factory": "lotus"}, at_lotus, lambda row: row.pk)
    unread_rulings = client.get(path, {"event": "ruling", "read": "unread"}).context["listing"].page.object_list
    assert [notice.pk for notice in unread_rulings] == [made[6].pk]
    early = client.get(path, {"until": "2026-04-02"}).context["listing"].page.object_list
    assert sorted(notice.pk for notice in early) == [made[0].pk, made[1].pk]


@pytest.mark.django_db
def test_the_paper_letters_to_post_by_factory(client, team, content, lotus, small_pages):
    made = []
    for factory in (lotus, team.factory):
        revision = approved_visit(team, content, factory, date(2026, 2, 2), [team.monitor],
                                  date(2026, 2, 3)).revisions.get()  # fmt: skip
        for number in range(4 if factory == lotus else 2):
            contact = Contact.objects.create(factory=factory, name=f"Contact {factory.ref} {number}",
                                             preferred_language="km", has_email=False)  # fmt: skip
            made.append(Notification.objects.create(revision=revision, contact=contact, channel="paper",
                                                    language="km"))  # fmt: skip
    client.force_login(team.head)
    at_lotus = [letter.pk for letter in made if letter.contact.factory == lotus]
    assert_filtered_and_paged(client, reverse("notifications:paper_queue"), {"factory": "ឡូតុស"}, at_lotus,
                              lambda row: row.pk)  # fmt: skip


@pytest.mark.django_db
def test_the_pending_invitations_by_name_or_address(client, team, programme_admin, programme, small_pages):
    made = [Invitation.objects.create(email=f"person{number}@{'lotus' if number % 2 else 'team'}.example",
                                      full_name=f"Person {number}", language="km", organisation=programme,
                                      role=Role.MONITOR, invited_by=programme_admin)
            for number in range(9)]  # fmt: skip
    client.force_login(programme_admin)
    at_lotus = [invitation.pk for invitation in made if "lotus" in invitation.email]
    assert_filtered_and_paged(client, reverse("accounts:invitations"), {"person": "@lotus"}, at_lotus,
                              lambda row: row.pk, lambda context: context["pending"])  # fmt: skip


@pytest.mark.django_db
def test_a_buyers_access_requests_by_factory_and_answer(client, team, make_factory, small_pages):
    made = []
    for number in range(9):
        factory = make_factory(f"ASK-{number}", name_en=f"{'Lotus' if number % 2 else 'Orchid'} {number}")
        made.append(AccessRequest.objects.create(factory=factory, buyer=team.buyer_org, requested_by=team.buyer,
                                                 decision="declined" if number == 1 else "pending"))  # fmt: skip
    client.force_login(team.buyer)
    path = reverse("accounts:access_requests")
    at_lotus = [asked.pk for asked in made if asked.factory.name_en.startswith("Lotus")]
    assert_filtered_and_paged(client, path, {"factory": "lotus"}, at_lotus, lambda row: row.pk,
                              lambda context: context["mine"])  # fmt: skip
    declined = client.get(path, {"decision": "declined"}).context["mine"].page.object_list
    assert [asked.pk for asked in declined] == [made[1].pk]


@pytest.mark.django_db
def test_the_overdue_actions_by_factory_status_and_due_date(client, team, content, lotus, small_pages):
    questions = list(content.questions.order_by("pk")[:8])
    visits = {factory: approved_visit(team, content, factory, date(2025, 2, 2), [team.monitor], date(2025, 2, 5))
              for factory in (lotus, team.factory)}  # fmt: skip
    made = []
    for number in range(8):
        finding = Finding.objects.create(assessment=visits[lotus if number % 2 or number == 0 else team.factory],
                                         question=questions[number], answer=Answer.NON_COMPLIANT,
                                         updated_by=team.monitor)  # fmt: skip
        made.append(ActionPlanItem.objects.create(
            finding=finding, action=f"Action {number}", owner="Mr Dara", due_date=date(2025, 6, 1 + number),
            status="in_progress" if number == 3 else "planned", created_by=team.manager))  # fmt: skip
    client.force_login(team.head)
    path = reverse("remediation:overdue")
    at_lotus = [item.pk for item in made if item.finding.assessment.factory == lotus]
    assert_filtered_and_paged(client, path, {"factory": "lotus"}, at_lotus, lambda row: row.pk)
    chosen = client.get(path, {"status": "in_progress", "due_from": "2025-06-02", "due_until": "2025-06-30"})
    assert [item.pk for item in chosen.context["listing"].page.object_list] == [made[3].pk]
    assert [row["actions"] for row in chosen.context["by_factory"]] == [1]


@pytest.mark.django_db
def test_the_factories_in_advisory_engagement_by_factory_advisor_and_open_cycle(
    client, team, make_user, programme, small_pages
):
    advisors = [make_user("sokha.advisor@team.example", Role.ADVISOR, programme),
                make_user("vanna.advisor@team.example", Role.ADVISOR, programme)]  # fmt: skip
    made = []
    for number in range(8):
        factory = Factory.objects.create(ref=f"ADV-{number}", name_en=f"{'Lotus' if number % 2 else 'Orchid'} {number}",
                                         sector="garment", province=team.factory.province)  # fmt: skip
        EngagementCycle.objects.create(factory=factory, start=date(2026, 1, 5), advisor=advisors[number >= 6],
                                       end=date(2026, 6, 30) if number in (1, 6) else None)  # fmt: skip
        made.append(factory)
    client.force_login(team.head)
    path = reverse("advisory:index")

    def engaged(context):
        return context["engaged"]

    lotus = [factory.ref for factory in made if factory.name_en.startswith("Lotus")]
    assert_filtered_and_paged(client, path, {"engaged-factory": "lotus"}, lotus, lambda row: row.ref, engaged)
    chosen = engaged(client.get(path, {"engaged-advisor": "vanna", "engaged-cycle": "open"}).context)
    assert [factory.ref for factory in chosen.page.object_list] == ["ADV-7"]


@pytest.mark.django_db
def test_the_threshold_breaches_of_a_factory_by_threshold_and_day(client, team, small_pages):
    device, _token = register_device(team.factory, "Sewing floor")
    made = [Breach.objects.create(device=device, factory=team.factory, kind="noise" if number % 2 else "heat",
                                  day=date(2026, 5, 1) + timedelta(days=number), value=90, limit=85, hours=8)
            for number in range(8)]  # fmt: skip
    client.force_login(team.head)
    path = reverse("readings:factory", args=[team.factory.ref])
    noise = [breach.pk for breach in made if breach.kind == "noise"]
    assert_filtered_and_paged(client, path, {"kind": "noise"}, noise, lambda row: row.pk)
    window = client.get(path, {"since": "2026-05-02", "until": "2026-05-03"}).context["listing"].page.object_list
    assert sorted(breach.pk for breach in window) == [made[1].pk, made[2].pk]


@pytest.mark.django_db
def test_the_grievance_alerts_by_factory_handled_and_day(client, team, lotus, small_pages):
    today = timezone.localdate()
    campaigns = {factory: voice.create_campaign(team.head, factory=factory, starts_on=today - timedelta(days=3),
                                                ends_on=today + timedelta(days=30))[0]
                 for factory in (lotus, team.factory)}  # fmt: skip
    made = []
    for number in range(8):
        alert = voice.raise_alert(campaigns[lotus if number % 2 else team.factory], ["locked_exits"])
        Alert.objects.filter(pk=alert.pk).update(raised_at=timezone.make_aware(datetime(2026, 6, 1 + number, 9)))
        if number == 5:
            voice.acknowledge_alert(team.head, alert)
        made.append(alert)
    client.force_login(team.head)
    path = reverse("voice:alerts")
    at_lotus = [alert.pk for alert in made if alert.factory == lotus]
    assert_filtered_and_paged(client, path, {"factory": "lotus"}, at_lotus, lambda row: row.pk)
    handled = client.get(path, {"handled": "handled"}).context["listing"].page.object_list
    assert [alert.pk for alert in handled] == [made[5].pk]
    waiting = client.get(path, {"handled": "waiting", "until": "2026-06-02"}).context["listing"].page.object_list
    assert sorted(alert.pk for alert in waiting) == [made[0].pk, made[1].pk]


@pytest.mark.django_db
def test_the_assessments_a_monitor_is_on_are_paged_too(client, team, content, small_pages):
    made = [plan_assessment(factory=team.factory, version=content, actor=team.head,
                            visit_start=date(2026, 1, 5) + timedelta(days=number),
                            visit_end=date(2026, 1, 5) + timedelta(days=number), monitors=[team.monitor])
            for number in range(5)]  # fmt: skip
    client.force_login(team.monitor)
    path = reverse("assessments:mine")
    first = client.get(path, {"status": "planned"})
    on_team = first.context["on_team"]
    assert [item.ref for item in on_team.page.object_list] == [item.ref for item in reversed(made)][:PAGE]
    assert 'href="?status=planned&amp;team-page=2"' in first.content.decode()
    second = client.get(path, {"status": "planned", "team-page": 2}).context["on_team"].page.object_list
    assert [item.ref for item in second] == [item.ref for item in reversed(made)][PAGE:]


@pytest.fixture
def group_manager(make_user, make_factory):
    """A manager of eight factories of one group, five of them named Lotus."""
    manager = make_user("group.manager@lotus.example")
    factories = []
    for number in range(8):
        factory = make_factory(f"GRP-{number}", name_en=f"{'Lotus' if number < 5 else 'Orchid'} Group {number}")
        organisation = Organisation.objects.create(name=factory.name_en, kind=Organisation.Kind.FACTORY,
                                                   factory=factory)  # fmt: skip
        manager.memberships.create(organisation=organisation, role=Role.FACTORY_MANAGER)
        factories.append(factory)
    return SimpleNamespace(user=manager, factories=factories)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["remediation:index", "training:mine"])
def test_the_factories_of_a_manager_of_several_are_searched_and_paged(client, group_manager, small_pages, name):
    client.force_login(group_manager.user)
    lotus = [factory.ref for factory in group_manager.factories[:5]]
    assert_filtered_and_paged(client, reverse(name), {"factory": "lotus"}, lotus, lambda row: row.ref)


@pytest.mark.django_db
def test_the_worker_voice_campaigns_by_factory_and_days(client, team, lotus, small_pages):
    made = []
    for number in range(8):
        first = date(2026, 1, 1) + timedelta(days=10 * number)
        campaign, _secret = voice.create_campaign(team.head, factory=lotus if number % 2 else team.factory,
                                                  starts_on=first, ends_on=first + timedelta(days=5))  # fmt: skip
        made.append(campaign)
    client.force_login(team.head)
    path = reverse("voice:index")
    at_team = [campaign.code for campaign in made if campaign.factory == team.factory]
    assert_filtered_and_paged(client, path, {"factory": "TEAM-1"}, at_team, lambda row: row.code)
    running = client.get(path, {"since": "2026-01-14", "until": "2026-01-22"}).context["listing"].page.object_list
    assert sorted(campaign.code for campaign in running) == sorted(campaign.code for campaign in made[1:3])


@pytest.mark.django_db
def test_a_factorys_access_grants_by_buyer_and_state(client, team, small_pages):
    made = []
    for number in range(8):
        buyer = Organisation.objects.create(name=f"{'Lotus' if number % 2 else 'Orchid'} Brand {number}",
                                            kind=Organisation.Kind.BUYER)  # fmt: skip
        grant = grant_access(team.factory, buyer, team.manager)
        if number in (1, 2):
            revoke_access(grant, team.manager)
        made.append(grant)
    client.force_login(team.manager)
    path = reverse("grants:grants")

    def grants(context):
        (section,) = context["sections"]
        return section["grants"]

    lotus = [grant.pk for grant in made if grant.buyer.name.startswith("Lotus")]
    assert_filtered_and_paged(client, path, {"buyer_name": "lotus"}, lotus, lambda row: row.pk, grants)
    revoked = grants(client.get(path, {"state": "revoked"}).context).page.object_list
    assert sorted(grant.pk for grant in revoked) == [made[1].pk, made[2].pk]
    in_force = grants(client.get(path, {"state": "active", "buyer_name": "orchid"}).context).page.object_list
    assert sorted(grant.pk for grant in in_force) == sorted(made[number].pk for number in (0, 4, 6))
