"""Advisory services: engagement cycles, visits, the worker-management committee and the roadmap;
their pages in each language; who may see and who may record them."""

from datetime import date

import pytest
from django.utils import translation

from ims.accounts.models import Role
from ims.advisory import services
from ims.advisory.models import (
    AdvisoryVisit,
    Committee,
    CommitteeMeeting,
    CommitteeMember,
    EngagementCycle,
    RoadmapItem,
)
from ims.audit.models import AuditEvent
from ims.core.errors import Conflict, Invalid, NotAllowed
from ims.responses.grants import grant_access
from tests.clients import url

LANGUAGES = ("en", "km", "zh-hans")
VISIT_NOTE = "គណៈកម្មាធិការបានពិភាក្សាអំពីទឹកផឹក"  # written by the advisor in Khmer


@pytest.fixture
def advisor(make_user, programme):
    return make_user("advisor@team.example", Role.ADVISOR, programme, language="km")


@pytest.fixture
def engagement(team, advisor):
    """An open cycle with one visit and one roadmap item, and an active committee with a member and a meeting."""
    cycle = services.start_cycle(team.factory, advisor, start=date(2026, 1, 5), advisor=advisor)
    visit = services.record_visit(
        cycle, advisor, date=date(2026, 2, 3), advisor=advisor, notes=VISIT_NOTE, note_language="km"
    )
    item = services.add_roadmap_item(
        cycle, advisor, title="Install a second water filter", language="en", owner="Mr Dara", due=date(2026, 6, 30)
    )
    committee = services.form_committee(team.factory, advisor, formed_on=date(2026, 1, 20))
    member = services.add_member(
        committee, advisor, name="Srey Mom", role="worker_representative", gender="female", elected_on=date(2026, 1, 20)
    )
    meeting = services.record_meeting(
        committee, advisor, date=date(2026, 2, 10), attendees=9, minutes_summary="Drinking water on every floor.",
        decisions="Buy two filters.", language="en",
    )  # fmt: skip
    return {"cycle": cycle, "visit": visit, "item": item, "committee": committee, "member": member, "meeting": meeting}


# Records and their rules


@pytest.mark.django_db
def test_an_engagement_cycle_carries_visits_and_a_roadmap_until_it_closes(team, advisor, engagement):
    cycle, item = engagement["cycle"], engagement["item"]
    assert list(cycle.visits.values_list("date", "note_language", "notes")) == [(date(2026, 2, 3), "km", VISIT_NOTE)]
    with pytest.raises(Conflict):
        services.start_cycle(team.factory, advisor, start=date(2026, 3, 1), advisor=advisor)
    with pytest.raises(Invalid):
        services.record_visit(cycle, advisor, date=date(2025, 12, 1), advisor=advisor, notes="x", note_language="en")
    with pytest.raises(Invalid):
        services.close_cycle(cycle, advisor, end=date(2026, 2, 1))  # before its last visit

    services.set_roadmap_status(item, advisor, status="in_progress")
    with pytest.raises(Conflict):
        services.set_roadmap_status(item, advisor, status="in_progress")
    with pytest.raises(Invalid):
        services.set_roadmap_status(item, advisor, status="abandoned")
    services.close_cycle(cycle, advisor, end=date(2026, 6, 30))
    with pytest.raises(Conflict):
        services.add_roadmap_item(cycle, advisor, title="Late", language="en", owner="x", due=date(2026, 8, 1))
    with pytest.raises(Invalid):
        services.start_cycle(team.factory, advisor, start=date(2026, 6, 30), advisor=advisor)  # overlaps
    second = services.start_cycle(team.factory, advisor, start=date(2026, 7, 1), advisor=advisor)

    assert list(EngagementCycle.objects.filter(factory=team.factory)) == [second, cycle]
    assert RoadmapItem.objects.get().status == "in_progress"
    assert list(AuditEvent.objects.filter(action__startswith="advisory.").order_by("pk").values_list("action")) == [
        ("advisory.cycle_started",), ("advisory.visit_recorded",), ("advisory.roadmap_added",),
        ("advisory.committee_formed",), ("advisory.member_added",), ("advisory.meeting_recorded",),
        ("advisory.roadmap_status",), ("advisory.cycle_closed",), ("advisory.cycle_started",),
    ]  # fmt: skip


@pytest.mark.django_db
def test_the_committee_keeps_its_members_and_meetings_and_one_active_committee(team, advisor, engagement):
    committee, member = engagement["committee"], engagement["member"]
    services.add_member(committee, advisor, name="Sok Chea", role="management", gender="male",
                        elected_on=date(2026, 1, 20))  # fmt: skip
    services.add_member(committee, advisor, name="Keo Dara", role="union", gender="female",
                        elected_on=date(2026, 1, 20))  # fmt: skip
    with pytest.raises(Invalid):
        services.add_member(committee, advisor, name="X", role="chair", gender="female", elected_on=date(2026, 1, 20))
    with pytest.raises(Invalid):
        services.record_meeting(committee, advisor, date=date(2026, 3, 1), attendees=0, minutes_summary="x",
                                decisions="", language="en")  # fmt: skip
    with pytest.raises(Invalid):
        services.record_meeting(committee, advisor, date=date(2026, 3, 1), attendees=5, minutes_summary="  ",
                                decisions="", language="en")  # fmt: skip
    services.set_member_active(member, advisor, is_active=False)
    assert sorted(committee.members.values_list("role", "gender", "is_active")) == [
        ("management", "male", True), ("union", "female", True), ("worker_representative", "female", False),
    ]  # fmt: skip
    assert CommitteeMeeting.objects.get().attendees == 9

    # The analytics' high-performing rule reads the factory's active committees.
    assert list(team.factory.committees.filter(is_active=True)) == [committee]
    with pytest.raises(Invalid):
        services.form_committee(team.factory, advisor, formed_on=date(2026, 1, 1))
    renewed = services.form_committee(team.factory, advisor, formed_on=date(2027, 1, 15))
    assert list(team.factory.committees.filter(is_active=True)) == [renewed]
    assert Committee.objects.get(pk=committee.pk).is_active is False


@pytest.mark.django_db
def test_only_advisors_and_their_overseers_record_and_a_refusal_changes_nothing(team, advisor, engagement):
    cycle = engagement["cycle"]
    before = (AdvisoryVisit.objects.count(), AuditEvent.objects.count())
    for outsider in (team.monitor, team.manager, team.buyer, team.partner):
        with pytest.raises(NotAllowed):
            services.record_visit(cycle, outsider, date=date(2026, 2, 4), advisor=advisor, notes="x",
                                  note_language="en")  # fmt: skip
    with pytest.raises(Invalid):  # the visitor named must be an advisor
        services.record_visit(cycle, team.head, date=date(2026, 2, 4), advisor=team.monitor, notes="x",
                              note_language="en")  # fmt: skip
    assert (AdvisoryVisit.objects.count(), AuditEvent.objects.count()) == before
    services.record_visit(
        cycle, team.head, date=date(2026, 2, 4), advisor=advisor, notes="Follow-up", note_language="en"
    )
    assert AuditEvent.objects.filter(action="advisory.visit_recorded", actor=team.head).count() == 1


# Pages


def record_pages(engagement, team, language):
    cycle, committee = engagement["cycle"], engagement["committee"]
    return [
        url("advisory:start_cycle", team.factory.ref, language=language),
        url("advisory:close_cycle", cycle.pk, language=language),
        url("advisory:record_visit", cycle.pk, language=language),
        url("advisory:add_roadmap_item", cycle.pk, language=language),
        url("advisory:form_committee", team.factory.ref, language=language),
        url("advisory:add_member", committee.pk, language=language),
        url("advisory:record_meeting", committee.pk, language=language),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_advisory_page_renders_in_each_language(client, team, advisor, engagement, language):
    client.force_login(advisor)
    pages = [url("advisory:index", language=language), url("advisory:factory", team.factory.ref, language=language)]
    for page in pages + record_pages(engagement, team, language):
        response = client.get(page)
        assert response.status_code == 200, page
        assert f'lang="{language}"' in response.content.decode()
    html = client.get(url("advisory:factory", team.factory.ref, language=language)).content.decode()
    with translation.override(language):
        assert team.factory.display_name in html
    assert f'<div lang="km">{VISIT_NOTE}</div>' in html
    assert "Srey Mom" in html and "Drinking water on every floor." in html and "Install a second water filter" in html
    assert (' <span class="badge">' in html.split(VISIT_NOTE)[1][:40]) == (language != "km")  # marked when foreign

    client.force_login(team.manager)
    own = client.get(url("advisory:index", language=language))
    assert own.url == url("advisory:factory", team.factory.ref, language=language)
    html = client.get(own.url).content.decode()
    assert VISIT_NOTE in html and "Install a second water filter" in html
    assert url("advisory:record_visit", engagement["cycle"].pk, language=language) not in html


@pytest.mark.django_db
def test_an_advisor_records_through_the_pages(client, team, advisor, engagement):
    client.force_login(advisor)
    cycle = engagement["cycle"]
    response = client.post(url("advisory:record_visit", cycle.pk, language="zh-hans"), {
        "date": "2026-03-04", "advisor": advisor.pk, "notes": "讨论了加班记录", "note_language": "zh-hans",
    })  # fmt: skip
    assert response.status_code == 302
    assert response.url == url("advisory:factory", team.factory.ref, language="zh-hans")
    assert AdvisoryVisit.objects.filter(notes="讨论了加班记录", note_language="zh-hans").exists()

    outside = client.post(url("advisory:record_visit", cycle.pk), {
        "date": "2025-12-01", "advisor": advisor.pk, "notes": "x", "note_language": "en",
    })  # fmt: skip
    assert outside.status_code == 400
    assert "must fall within the engagement cycle" in outside.content.decode()
    assert client.post(url("advisory:record_meeting", engagement["committee"].pk), {"date": "x"}).status_code == 400

    client.post(url("advisory:roadmap_status", engagement["item"].pk), {"status": "done"})
    assert RoadmapItem.objects.get().status == "done"
    client.post(url("advisory:member_active", engagement["member"].pk), {"is_active": "false"})
    assert CommitteeMember.objects.get().is_active is False
    again = client.post(url("advisory:member_active", engagement["member"].pk), {"is_active": "false"})
    assert again.status_code == 409

    found = client.get(url("advisory:index"), {"factory": team.factory.ref.lower()})
    assert found.url == url("advisory:factory", team.factory.ref)


OUTSIDERS = ("anonymous", "other_manager", "buyer_without_grant", "buyer_with_grant", "partner")


@pytest.mark.django_db
@pytest.mark.parametrize("name", OUTSIDERS)
def test_outsiders_see_no_advisory_history(client, team, engagement, name):
    if name == "buyer_with_grant":
        grant_access(team.factory, team.buyer_org, team.manager)  # a grant opens reports, not advisory work
    user = {
        "anonymous": None, "other_manager": team.other_manager, "buyer_without_grant": team.buyer,
        "buyer_with_grant": team.buyer, "partner": team.partner,
    }[name]  # fmt: skip
    if user:
        client.force_login(user)
    pages = [url("advisory:factory", team.factory.ref), *record_pages(engagement, team, "en")]
    for page in pages:
        response = client.get(page)
        if user is None:
            assert response.status_code == 302 and response.url.startswith(url("accounts:login")), page
        else:
            assert response.status_code == 404, page
        assert VISIT_NOTE.encode() not in response.content
    before = AdvisoryVisit.objects.count()
    client.post(url("advisory:record_visit", engagement["cycle"].pk), {
        "date": "2026-03-04", "advisor": engagement["visit"].advisor_id, "notes": "x", "note_language": "en",
    })  # fmt: skip
    assert AdvisoryVisit.objects.count() == before


@pytest.mark.django_db
def test_insiders_who_do_not_record_may_read_but_not_record(client, team, engagement):
    for user in (team.manager, team.monitor):
        client.force_login(user)
        assert client.get(url("advisory:factory", team.factory.ref)).status_code == 200
        for page in record_pages(engagement, team, "en"):
            assert client.get(page).status_code == 403, (user, page)
        refused = client.post(url("advisory:roadmap_status", engagement["item"].pk), {"status": "done"})
        assert refused.status_code == 403
    assert RoadmapItem.objects.get().status == "planned"
