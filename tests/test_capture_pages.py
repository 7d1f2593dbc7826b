"""The monitors' web pages: lists, planning, overview, capture with autosave and photos, review and submit."""

import io
import json
import re

import pytest
from django.urls import reverse
from django.utils import translation
from PIL import Image

from ims.accounts.models import Role
from ims.assessments.models import Answer, Assessment, Evidence, Finding, Status
from ims.assessments.workflow import save_finding, transition
from ims.checklists.models import Question
from tests.factories import answer_all

LANGUAGES = ("en", "km", "zh-hans")
GPS_IFD = 0x8825


@pytest.fixture
def outsider(make_user, programme):
    """A monitor of the programme who is not on this assessment's team."""
    return make_user("outsider@team.example", Role.MONITOR, programme)


def url(name, assessment, *args, language="en"):
    with translation.override(language):
        return reverse(f"assessments:{name}", args=[assessment.ref, *args])


def in_language(language, english):
    with translation.override(language):
        return translation.gettext(english)


def post_json(client, address, payload):
    return client.post(address, json.dumps(payload), content_type="application/json", HTTP_ACCEPT="application/json")


def jpeg_with_gps():
    exif = Image.Exif()
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (11.0, 33.0, 20.0), 3: "E", 4: (104.0, 55.0, 10.0)})
    output = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(output, format="JPEG", exif=exif)
    data = output.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD), "the test photo must carry GPS data"
    return data


def upload(client, assessment, question_code, data, name="photo.jpg"):
    """A photo sent with the plain capture page's form."""
    photo = io.BytesIO(data)
    photo.name = name
    return client.post(url("upload_evidence", assessment), {"question": question_code, "photo": photo})


# --- pages and access ---------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_monitor_page_renders_in_each_language(client, started, team, language):
    save_finding(started, question_code="CL.1.1", answer=Answer.NON_COMPLIANT, actor=team.monitor, note="Seen")
    client.force_login(team.monitor)
    question = Question.objects.get(version=started.checklist_version, code="CL.1.1")
    cluster = question.compliance_point.cluster
    pages = {
        f"/{language}/assessments/": "TEAM-1-20261102",
        f"/{language}/assessments/plan/": in_language(language, "Lead monitor"),
        url("detail", started, language=language): cluster.text_in("name", language),
        url("capture", started, "CL", language=language) + "?plain=1": question.text_in("text", language),
        url("review", started, language=language): question.text_in("text", language),
    }
    for address, expected in pages.items():
        response = client.get(address)
        assert response.status_code == 200, address
        assert f'<html lang="{language}">' in response.text, address
        assert expected in response.text, address
        if not address.endswith("/plan/"):
            assert in_language(language, "In progress") in response.text, address


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_sign_in(client, assessment):
    for address in ("/en/assessments/", "/en/assessments/plan/", url("detail", assessment)):
        response = client.get(address)
        assert response.status_code == 302
        assert response["Location"].startswith("/en/accounts/login/")


@pytest.mark.django_db
def test_people_outside_the_programme_get_403_and_hidden_assessments_404(client, assessment, team):
    client.force_login(team.manager)
    assert client.get("/en/assessments/").status_code == 403
    assert client.get("/en/assessments/plan/").status_code == 403
    # not published yet, so not even the factory sees it
    assert client.get(url("detail", assessment)).status_code == 404
    assert client.get(url("capture", assessment, "CL")).status_code == 404
    # published, the factory reads the report pages; the workspace (notes, review history) is not theirs
    Assessment.objects.filter(pk=assessment.pk).update(status=Status.APPROVED)
    assert client.get(url("detail", assessment)).status_code == 403


@pytest.mark.django_db
def test_my_assessments_lists_mine_apart_and_filters_the_others_by_status(client, started, team, outsider, content):
    from datetime import date

    from ims.assessments.workflow import plan_assessment

    planned_elsewhere = plan_assessment(
        factory=team.other_factory, version=content, actor=team.head, visit_start=date(2026, 12, 1),
        visit_end=date(2026, 12, 1), monitors=[outsider],
    )  # fmt: skip
    client.force_login(team.monitor)
    response = client.get("/en/assessments/")
    mine, others = response.text.split('id="others"')
    assert started.ref in mine and planned_elsewhere.ref not in mine
    assert planned_elsewhere.ref not in others  # another team's draft is theirs, the head's and admins' only
    assert 'class="badge status-badge status-in_progress"' in mine
    assert reverse("assessments:plan") in response.text
    client.force_login(team.head)
    others = client.get("/en/assessments/").text.split('id="others"')[1]
    assert planned_elsewhere.ref in others and started.ref in others
    filtered = client.get("/en/assessments/", {"status": Status.IN_PROGRESS}).text.split('id="others"')[1]
    assert planned_elsewhere.ref not in filtered and started.ref in filtered


@pytest.mark.django_db
def test_a_monitor_off_the_team_cannot_open_the_draft_and_the_head_sees_it_read_only(client, started, outsider, team):
    client.force_login(outsider)
    assert client.get(url("capture", started, "CL")).status_code == 404
    client.force_login(team.head)  # the head edits findings only while correcting a published report
    response = client.get(url("capture", started, "CL") + "?plain=1")
    assert response.status_code == 200
    assert response.text.count('class="capture-fields" disabled') == 13
    assert 'type="file"' not in response.text


# --- planning -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_planning_through_the_form_creates_the_assessment_with_the_lead_first(client, team, content):
    client.force_login(team.head)
    form = client.get("/en/assessments/plan/")
    assert "TEAM-1 · Team Factory" in form.text  # offered in the factory picker
    assert f'<option value="{content.pk}" selected>' in form.text  # latest version by default
    response = client.post(
        "/en/assessments/plan/",
        {"factory": "团队工厂", "version": content.pk, "type": Assessment.Type.FOLLOW_UP, "visit_start": "2026-12-07",
         "visit_end": "2026-12-08", "lead": team.monitor2.pk, "monitors": [team.monitor.pk, team.monitor2.pk]},
    )  # fmt: skip
    assessment = Assessment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("detail", assessment)
    assert (assessment.factory, assessment.type, assessment.status) == (team.factory, "follow_up", Status.PLANNED)
    lead = assessment.team.get(is_lead=True)
    assert lead.user == team.monitor2
    assert set(assessment.team.values_list("user__email", flat=True)) == {team.monitor.email, team.monitor2.email}


@pytest.mark.django_db
def test_planning_shows_the_services_refusal_on_the_form(client, team, content, make_user, programme):
    client.force_login(team.head)
    data = {"factory": "TEAM-1", "version": content.pk, "type": "assessment", "visit_start": "2026-12-08",
            "visit_end": "2026-12-07", "lead": team.monitor.pk}  # fmt: skip
    response = client.post("/en/assessments/plan/", data)
    assert response.status_code == 400
    assert "The last visit day cannot be before the first." in response.text
    translator = make_user("translator@team.example", Role.TRANSLATOR, programme)
    client.force_login(translator)
    response = client.post("/en/assessments/plan/", {**data, "visit_end": "2026-12-09"})
    assert response.status_code == 403
    client.force_login(team.head)
    unknown = client.post("/en/assessments/plan/", {**data, "factory": "No such factory"})
    assert unknown.status_code == 400
    assert "No factory matches" in unknown.text
    assert not Assessment.objects.exists()


# --- the plain capture page (without script) ----------------------------------------------------------------


@pytest.mark.django_db
def test_without_javascript_each_card_posts_and_comes_back_to_the_question(client, started, team):
    client.force_login(team.monitor)
    address = url("capture", started, "CL")
    screen = client.get(address)  # who captures gets the capture screen; its noscript links the plain pages
    assert screen.status_code == 302 and screen["Location"] == f"/en/capture/{started.ref}/?cluster=CL"
    assert f'href="{address}?plain=1"' in client.get(screen["Location"]).text
    response = client.post(address, {"question": "CL.1.2", "answer": "non_compliant", "note": " Ten workers ",
                                      "note_language": "zh-hans", "row_version": ""})  # fmt: skip
    assert response.status_code == 302
    assert response["Location"] == f"{address}?plain=1#q-CL.1.2"
    address += "?plain=1"
    finding = Finding.objects.get()
    assert (finding.answer, finding.note, finding.note_language) == ("non_compliant", "Ten workers", "zh-hans")
    page = client.get(address).text
    assert re.search(r'value="non_compliant" class="answer answer-non_compliant"\s+aria-pressed="true"', page)
    # a stale card shows why it was refused, with the current answer still in place
    response = client.post(address, {"question": "CL.1.2", "answer": "compliant", "note": "", "row_version": "7"})
    assert response.status_code == 409
    assert "reload it to see their answer" in response.text
    assert Finding.objects.get().answer == "non_compliant"


# --- photos -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_photo_is_stored_without_its_location_and_served_only_to_those_who_see_the_assessment(client, started, team):
    save_finding(started, question_code="OS.8.2", answer=Answer.NON_COMPLIANT, actor=team.monitor)
    client.force_login(team.monitor2)
    response = upload(client, started, "OS.8.2", jpeg_with_gps())
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    address = url("evidence", started, evidence.pk)
    stored = evidence.file.read()
    assert b"Exif" not in stored
    assert not Image.open(io.BytesIO(stored)).getexif()

    served = client.get(address)
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert b"".join(served.streaming_content) == stored
    capture_page = client.get(url("capture", started, "OS") + "?plain=1").text
    assert address in capture_page

    client.force_login(team.manager)  # the factory sees evidence only once a published revision holds it
    assert client.get(address).status_code == 404
    answer_all(started, team.monitor, noncompliant=("OS.8.2",))
    transition(started, "submit", team.monitor)
    transition(started, "approve", team.head)
    assert client.get(address).status_code == 200


@pytest.mark.django_db
def test_a_file_that_is_not_a_photo_is_refused_clearly(client, started, team):
    save_finding(started, question_code="OS.8.2", answer=Answer.NON_COMPLIANT, actor=team.monitor)
    client.force_login(team.monitor)
    response = upload(client, started, "OS.8.2", bytes(range(256)) * 8, name="photo.jpg")
    assert response.status_code == 400
    assert "The file is not a readable photo." in response.text
    assert not Evidence.objects.exists()


@pytest.mark.django_db
def test_a_photo_over_the_size_limit_is_refused_clearly(client, started, team, settings):
    settings.IMS_MAX_UPLOAD_BYTES = 1024 * 1024
    save_finding(started, question_code="OS.8.2", answer=Answer.NON_COMPLIANT, actor=team.monitor)
    client.force_login(team.monitor)
    response = upload(client, started, "OS.8.2", b"\xff\xd8" + bytes(1024 * 1024 + 10))
    assert response.status_code == 400
    assert "The file is larger than 1 MB." in response.text
    assert not Evidence.objects.exists()


@pytest.mark.django_db
def test_a_photo_needs_an_answer_first_and_a_plain_form_gets_the_page_back(client, started, team):
    client.force_login(team.monitor)
    response = upload(client, started, "OS.8.2", jpeg_with_gps())
    assert response.status_code == 400
    assert "Answer the question before adding a photo." in response.text
    assert '<html lang="en">' in response.text
    save_finding(started, question_code="OS.8.2", answer=Answer.NON_COMPLIANT, actor=team.monitor)
    response = upload(client, started, "OS.8.2", jpeg_with_gps())
    assert response.status_code == 302
    assert response["Location"] == url("capture", started, "OS") + "?plain=1#q-OS.8.2"
    assert Evidence.objects.count() == 1


# --- overview, workflow and review --------------------------------------------------------------------------


@pytest.mark.django_db
def test_monitors_start_and_submit_through_the_transition_view_which_reports_missing_answers(client, assessment, team):
    client.force_login(team.monitor2)
    detail = client.get(url("detail", assessment)).text
    assert 'name="action" value="start"' in detail and 'value="submit"' not in detail
    response = client.post(url("transition", assessment), {"action": "start"})
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == Status.IN_PROGRESS

    save_finding(assessment, question_code="CL.1.1", answer=Answer.COMPLIANT, actor=team.monitor)
    response = client.post(url("transition", assessment), {"action": "submit", "return_to": "review"})
    assert response.status_code == 400
    assert "273 of 274 questions have no answer yet" in response.text
    assert "CL.1.2" in response.text  # the review page lists what is missing, linked to capture
    assert url("capture", assessment, "CL") + "#q-CL.1.2" in response.text
    assessment.refresh_from_db()
    assert assessment.status == Status.IN_PROGRESS


@pytest.mark.django_db
def test_the_heads_return_comment_is_shown_prominently_to_the_monitors(client, started, team):
    answer_all(started, team.monitor, noncompliant=("CL.1.1",))
    client.force_login(team.monitor)
    assert client.post(url("transition", started), {"action": "submit"}).status_code == 302

    client.force_login(team.head)
    detail = client.get(url("detail", started)).text
    assert 'value="return"' in detail and 'value="approve"' in detail
    refused = client.post(url("transition", started), {"action": "return", "comment": "  "})
    assert refused.status_code == 400
    assert "a comment is required" in refused.text
    client.post(url("transition", started), {"action": "return", "comment": "Photos missing for CL.1.1"})

    client.force_login(team.monitor)
    for page in (url("detail", started), url("capture", started, "CL") + "?plain=1", f"/en/capture/{started.ref}/",
                 url("review", started)):  # fmt: skip
        text = client.get(page).text
        assert '<aside class="head-comment"' in text
        assert "Photos missing for CL.1.1" in text.split('<aside class="head-comment"')[1].split("</aside>")[0]


@pytest.mark.django_db
def test_review_puts_non_compliances_first_with_their_notes(client, started, team):
    save_finding(started, question_code="CL.1.1", answer=Answer.COMPLIANT, actor=team.monitor, note="All adults")
    save_finding(started, question_code="CL.1.2", answer=Answer.NON_COMPLIANT, actor=team.monitor, note="Boy aged 14")
    client.force_login(team.monitor)
    text = client.get(url("review", started)).text
    child_labour = text.split('id="cluster-CL"')[1].split('id="cluster-DI"')[0]
    assert child_labour.index("Boy aged 14") < child_labour.index("All adults")
    assert "11 questions without an answer" in child_labour


@pytest.mark.django_db
def test_interviews_and_workforce_are_saved_with_an_optimistic_lock(client, started, team):
    client.force_login(team.monitor)
    address = url("update_details", started)
    data = {"interviews_workers": 12, "interviews_managers": 3, "interviews_union": 2, "workers_total": 900,
            "workers_female": 700, "row_version": started.row_version}  # fmt: skip
    assert client.post(address, data).status_code == 302
    started.refresh_from_db()
    expected = (12, 700, data["row_version"] + 1)
    assert (started.interviews_workers, started.workers_female, started.row_version) == expected

    stale = client.post(address, {**data, "interviews_workers": 99})
    assert stale.status_code == 409
    assert "Someone else changed this assessment" in stale.text
    too_many_women = client.post(address, {**data, "workers_female": 901, "row_version": started.row_version})
    assert too_many_women.status_code == 400
    assert "Women workers cannot exceed the total." in too_many_women.text
    started.refresh_from_db()
    assert (started.interviews_workers, started.workers_female) == (12, 700)

    Assessment.objects.filter(pk=started.pk).update(status=Status.SUBMITTED)
    refused = client.post(address, {**data, "row_version": started.row_version})
    assert refused.status_code == 403
    assert 'action="/en/assessments/TEAM-1-20261102/details/"' not in client.get(url("detail", started)).text


# --- in a browser -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_answers_are_worded_as_the_question_asks_with_the_noncompliant_one_marked(client, started, team):
    client.force_login(team.monitor2)
    page = client.get(url("capture", started, "CL") + "?plain=1").text
    for code in ("CL.1.1", "CL.1.2"):
        card = page[page.index(f'id="q-{code}"') :]
        card = card[: card.index("</article>")]
        noncompliant = Question.objects.get(code=code).noncompliant_answer.capitalize()
        compliant = {"Yes": "No", "No": "Yes"}[noncompliant]
        assert 'value="compliant" class="answer answer-compliant"' in card
        assert re.search(
            rf'value="compliant" class="answer answer-compliant"\s+aria-pressed="false">{compliant}<', card
        )
        assert re.search(
            rf'value="non_compliant" class="answer answer-non_compliant"\s+aria-pressed="false">{noncompliant} '
            r'<small class="answer-mark">non-compliant</small>',
            card,
        )
