"""Training pages: every page in three languages, the web flows, and who may do what as a matrix."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from ims.accounts.models import Role
from ims.audit.models import AuditEvent
from ims.training import services
from ims.training.catalogue import load_catalogue
from ims.training.models import (
    Attendance,
    Enrolment,
    ImprovementItem,
    Participant,
    TrainingModule,
    TrainingSession,
)

LANGUAGES = ["en", "km", "zh-hans"]
STAFF_READERS = {"trainer", "other_trainer", "admin", "head", "monitor"}
MANAGERS = {"trainer", "other_trainer", "admin"}
RUNNERS = {"trainer", "admin"}
PERSONAS = ["anonymous", "trainer", "other_trainer", "admin", "head", "monitor", "manager", "other_manager", "buyer",
            "partner"]  # fmt: skip
PEOPLE = [{"name": "Sokha", "role": "management", "gender": "female"},
          {"name": "Dara", "role": "union", "gender": "male"}]  # fmt: skip


@pytest.fixture
def world(team, make_user, make_factory, programme, programme_admin):
    """An open seminar that ran the last two days with both team factories enrolled, and a closed one."""
    load_catalogue()
    make_factory("TEAM-3")  # not yet enrolled anywhere
    trainer = make_user("trainer@test.example", Role.TRAINER, programme)
    other_trainer = make_user("trainer2@test.example", Role.TRAINER, programme)
    today = timezone.localdate()
    module = TrainingModule.objects.get(programme__code="seminars", order=1)

    def session(first, last):
        return services.plan_session(trainer, module=module, start_date=today + timedelta(days=first),
                                     end_date=today + timedelta(days=last), venue="VBNK Centre",
                                     languages=["en", "km", "zh-hans"], trainer=trainer, capacity=20)  # fmt: skip

    open_session = session(-2, -1)
    ours = services.enrol_factory(trainer, open_session, team.factory, PEOPLE)
    theirs = services.enrol_factory(trainer, open_session, team.other_factory, PEOPLE)
    for day in open_session.days:
        services.record_attendance(trainer, open_session, day, [p.pk for p in ours.participants.all()])
    item = services.add_plan_item(team.manager, ours, action="Gender committee", owner="Sokha",
                                  due_date=today + timedelta(days=30))  # fmt: skip
    closed = session(-20, -20)
    closed_ours = services.enrol_factory(trainer, closed, team.factory, PEOPLE)
    services.record_attendance(trainer, closed, closed.start_date, [closed_ours.participants.first().pk])
    services.add_plan_item(trainer, closed_ours, action="Committee", owner="Dara", due_date=today)
    services.mark_completion(trainer, closed)
    users = {
        "anonymous": None, "trainer": trainer, "other_trainer": other_trainer, "admin": programme_admin,
        "head": team.head, "monitor": team.monitor, "manager": team.manager, "other_manager": team.other_manager,
        "buyer": team.buyer, "partner": team.partner,
    }  # fmt: skip
    return {"session": open_session, "ours": ours, "theirs": theirs, "item": item, "closed": closed, "users": users,
            "team": team, "module": module}  # fmt: skip


def pages(world):
    session, ours = world["session"], world["ours"]
    day = session.start_date.isoformat()
    return {
        "catalogue": "/{lang}/training/",
        "programme": "/{lang}/training/programmes/seminars/",
        "sessions": "/{lang}/training/sessions/",
        "session": f"/{{lang}}/training/sessions/{session.pk}/",
        "attendance": f"/{{lang}}/training/sessions/{session.pk}/attendance/{day}/",
        "enrolment": f"/{{lang}}/training/enrolments/{ours.pk}/",
        "factory": f"/{{lang}}/training/factories/{ours.factory.ref}/",
        "impact": "/{lang}/training/impact/",
        "impact_programme": "/{lang}/training/impact/seminars/",
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_exists_in_three_languages(client, world, language):
    names = {"en": "Single-issue seminars", "km": "សិក្ខាសាលាលើប្រធានបទតែមួយ", "zh-hans": "单一主题研讨会"}
    for who, page_names in (("trainer", ["catalogue", "programme", "sessions", "session", "attendance", "enrolment",
                                         "factory", "impact", "impact_programme"]),
                            ("manager", ["enrolment", "factory"])):  # fmt: skip
        client.force_login(world["users"][who])
        for name in page_names:
            response = client.get(pages(world)[name].format(lang=language))
            assert response.status_code == 200, (who, name, language)
            assert f'<html lang="{language}">' in response.text
            if name in {"catalogue", "programme", "sessions", "impact", "impact_programme"}:
                assert names[language] in response.text, (name, language)
    client.logout()
    response = client.get(f"/{language}/training/")
    assert response.status_code == 200 and names[language] in response.text


def test_the_session_page_shows_each_user_only_the_enrolments_they_may_read(client, world):
    team = world["team"]
    url = f"/en/training/sessions/{world['session'].pk}/"
    expectations = {"trainer": {"Team Factory", "Other Factory"}, "head": {"Team Factory", "Other Factory"},
                    "manager": {"Team Factory"}, "other_manager": {"Other Factory"}, "buyer": set(),
                    "partner": set(), "anonymous": set()}  # fmt: skip
    for who, visible in expectations.items():
        client.logout()
        if world["users"][who]:
            client.force_login(world["users"][who])
        text = client.get(url).text
        assert {name for name in ("Team Factory", "Other Factory") if name in text} == visible, who
        assert ("Sokha" in text) == bool(visible), who
    assert team.factory.name_en == "Team Factory"


def test_trainer_plans_enrols_records_and_completes_through_the_pages(client, world):
    client.force_login(world["users"]["trainer"])
    today = timezone.localdate()
    response = client.post("/en/training/sessions/", {
        "module": world["module"].pk, "start_date": (today - timedelta(days=1)).isoformat(),
        "end_date": today.isoformat(), "venue": "Kompong Som", "languages": ["km", "en"],
        "trainer": world["users"]["trainer"].pk, "capacity": 3, "seats_per_factory": "", "fee": "10.50",
    })  # fmt: skip
    session = TrainingSession.objects.get(venue="Kompong Som")
    assert response.status_code == 302 and response["Location"].endswith(f"/training/sessions/{session.pk}/")
    management = {"people-TOTAL_FORMS": "3", "people-INITIAL_FORMS": "0"}
    rows = {"people-0-name": "Chan", "people-0-role": "management", "people-0-gender": "female",
            "people-1-name": "Vanna", "people-1-role": "worker_representative", "people-1-gender": "female",
            "people-2-name": "", "people-2-role": "union", "people-2-gender": "male"}  # fmt: skip
    response = client.post(f"/en/training/sessions/{session.pk}/enrol/",
                           {"factory": world["team"].factory.ref, **management, **rows})  # fmt: skip
    assert response.status_code == 302
    assert list(Participant.objects.filter(enrolment__session=session).values_list("name", flat=True)) == [
        "Chan", "Vanna"]  # fmt: skip
    # Too many people for the seats left: a clear error and nothing written.
    rows.update({"people-2-name": "Rith"})
    response = client.post(f"/en/training/sessions/{session.pk}/enrol/",
                           {"factory": world["team"].other_factory.ref, **management, **rows})  # fmt: skip
    assert response.status_code == 409 and "3 asked, 1 left" in response.text
    assert Enrolment.objects.filter(session=session).count() == 1
    chan, _vanna = Participant.objects.filter(enrolment__session=session)
    for day in session.days:
        response = client.post(f"/en/training/sessions/{session.pk}/attendance/{day.isoformat()}/",
                               {"present": [chan.pk]})  # fmt: skip
        assert response.status_code == 302
    response = client.post(f"/en/training/sessions/{session.pk}/attendance/{today.isoformat()}/", {"present": ["x"]})
    assert response.status_code == 400
    response = client.post(f"/en/training/sessions/{session.pk}/complete/")
    assert response.status_code == 302
    enrolment = Enrolment.objects.get(session=session)
    assert enrolment.status == "not_completed", "seminars need an improvement plan"
    assert list(Participant.objects.filter(enrolment=enrolment).values_list("completed", flat=True)) == [True, False]
    response = client.get(f"/en/training/enrolments/{enrolment.pk}/")
    assert "Chan" in response.text and response.status_code == 200


def test_bad_session_input_is_refused_with_the_reason(client, world):
    client.force_login(world["users"]["admin"])
    today = timezone.localdate().isoformat()
    response = client.post("/en/training/sessions/", {
        "module": world["module"].pk, "start_date": today, "end_date": today, "venue": "X", "languages": ["km"],
        "trainer": world["users"]["trainer"].pk, "capacity": 0, "fee": "0",
    })  # fmt: skip
    assert response.status_code == 400 and TrainingSession.objects.count() == 2


def test_factory_manager_exports_their_participation_as_excel_and_csv(client, world):
    client.force_login(world["users"]["manager"])
    response = client.get("/en/training/participation/export/?format=xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[0][:3] == ("programme", "module", "session_start") and len(rows) == 1 + 4
    assert {row[6] for row in rows[1:]} == {world["team"].factory.ref}
    response = client.get("/en/training/participation/export/?format=csv&programme=seminars")
    assert response.status_code == 200 and response.content.decode().count("\n") == 5
    assert client.get("/en/training/participation/export/?programme=nope").status_code == 404


def requests_for(world):
    session, ours, item = world["session"], world["ours"], world["item"]
    day = session.start_date.isoformat()
    factory = ours.factory.ref
    today = timezone.localdate().isoformat()
    enrol = {"factory": "TEAM-3", "people-TOTAL_FORMS": "1", "people-INITIAL_FORMS": "0", "people-0-name": "X",
             "people-0-role": "union", "people-0-gender": "male"}  # fmt: skip
    plan = {"module": world["module"].pk, "start_date": today, "end_date": today, "venue": "X", "languages": ["km"],
            "trainer": world["users"]["trainer"].pk, "capacity": 5, "fee": "0"}  # fmt: skip
    hidden = {"other_manager", "buyer", "partner"}  # the team factory's enrolment is not theirs to see
    return [
        # name, method, url, data, allowed, hidden from
        ("catalogue", "GET", "/en/training/", None, set(PERSONAS), set()),
        ("sessions", "GET", "/en/training/sessions/", None, STAFF_READERS, set()),
        ("plan", "POST", "/en/training/sessions/", plan, MANAGERS, set()),
        ("enrol", "POST", f"/en/training/sessions/{session.pk}/enrol/", enrol, MANAGERS, set()),
        ("attendance", "GET", f"/en/training/sessions/{session.pk}/attendance/{day}/", None, RUNNERS, set()),
        ("record", "POST", f"/en/training/sessions/{session.pk}/attendance/{day}/", {"present": []}, RUNNERS, set()),
        ("enrolment", "GET", f"/en/training/enrolments/{ours.pk}/", None, STAFF_READERS | {"manager"}, hidden),
        ("add item", "POST", f"/en/training/enrolments/{ours.pk}/",
         {"action": "A", "owner": "B", "due_date": today}, MANAGERS | {"manager"}, hidden),
        ("item status", "POST", f"/en/training/plan-items/{item.pk}/status/", {"status": "done"},
         MANAGERS | {"manager"}, hidden),
        ("factory", "GET", f"/en/training/factories/{factory}/", None, STAFF_READERS | {"manager"}, hidden),
        ("mine", "GET", "/en/training/mine/", None, STAFF_READERS | {"manager", "other_manager"}, set()),
        ("export", "GET", "/en/training/participation/export/", None, STAFF_READERS | {"manager", "other_manager"},
         set()),
        ("impact", "GET", "/en/training/impact/", None, STAFF_READERS, set()),
        ("impact programme", "GET", "/en/training/impact/seminars/", None, STAFF_READERS, set()),
        ("impact csv", "GET", "/en/training/impact/summary.csv", None, STAFF_READERS, set()),
        ("impact programme csv", "GET", "/en/training/impact/seminars.csv", None, STAFF_READERS, set()),
        # Last, as they end what the requests above act on.
        # Refused for lack of a role before the enrolment is looked up: 403 even for those who cannot see it.
        ("withdraw", "POST", f"/en/training/enrolments/{ours.pk}/withdraw/", {}, MANAGERS, set()),
        ("complete", "POST", f"/en/training/sessions/{session.pk}/complete/", {}, RUNNERS, set()),
    ]  # fmt: skip


def state():
    return (TrainingSession.objects.count(), TrainingSession.objects.filter(closed_at__isnull=False).count(),
            Enrolment.objects.filter(status="enrolled").count(), Participant.objects.count(),
            Attendance.objects.count(), ImprovementItem.objects.filter(status="planned").count(),
            ImprovementItem.objects.count(), AuditEvent.objects.count())  # fmt: skip


@pytest.mark.parametrize("persona", PERSONAS)
def test_access_matrix(client, world, persona):
    """Each persona against every training page and action: allowed ones answer, others are refused
    (login for anonymous, 404 for what they may not even see, 403 otherwise) and change nothing."""
    user = world["users"][persona]
    for name, method, url, data, allowed, hidden in requests_for(world):
        client.logout()
        if user:
            client.force_login(user)
        before = state()
        response = client.get(url) if method == "GET" else client.post(url, data)
        public = allowed == set(PERSONAS)
        if persona in allowed:
            assert response.status_code in (200, 302), (persona, name, response.status_code)
            assert "/accounts/login" not in response.get("Location", ""), (persona, name)
            continue
        if persona == "anonymous" and not public:
            assert response.status_code == 302 and "login" in response["Location"], (persona, name)
        elif persona in hidden:
            assert response.status_code == 404, (persona, name, response.status_code)
        else:
            assert response.status_code == 403, (persona, name, response.status_code)
        assert state() == before, (persona, name)


def test_programme_administrators_edit_the_catalogue_in_the_admin(client, world, make_user, programme):
    from ims.training.models import TrainingProgramme

    listing = "/en/admin/training/trainingprogramme/"
    change = f"{listing}{TrainingProgramme.objects.get(code='modular').pk}/change/"
    # Staff accounts enter the admin; among them, the role decides who edits the catalogue.
    administrator = make_user("programme-admin@test.example", Role.PROGRAMME_ADMIN, programme, is_staff=True)
    trainer = make_user("staff-trainer@test.example", Role.TRAINER, programme, is_staff=True)
    client.force_login(trainer)
    assert (client.get(listing).status_code, client.get(change).status_code) == (403, 403)

    client.force_login(administrator)
    assert client.get(listing).status_code == 200
    response = client.get(change)
    assert response.status_code == 200 and 'name="name_km"' in response.text and "The Global Context" in response.text
    assert 'name="_save"' in response.text  # editable, not only readable
    assert 'name="modules-0-name_km"' in response.text  # the programme's modules too
