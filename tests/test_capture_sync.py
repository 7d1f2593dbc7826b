"""Offline capture on the server side: the package, findings sync with client UUIDs, conflicts, resumable uploads."""

import hashlib
import io
import uuid

import pytest
from PIL import Image
from rest_framework.test import APIClient

from ims.accounts.models import Role
from ims.assessments.models import Answer, AssessmentMonitor, Evidence, Finding
from ims.assessments.workflow import save_finding, transition
from ims.audit.models import AuditEvent
from ims.capture.models import SubmissionReceipt, SyncConflict, UploadChunk, UploadSession
from tests.factories import answer_all

API = "/api/v1/capture"


def client_for(user):
    client = APIClient()
    client.force_login(user)
    return client


def item(question, answer=Answer.COMPLIANT, note="", base_version=None, client_uuid=None, note_language="en"):
    return {"client_uuid": str(client_uuid or uuid.uuid4()), "question": question, "answer": answer, "note": note,
            "note_language": note_language, "base_version": base_version}  # fmt: skip


def send(client, ref, *items):
    response = client.post(f"{API}/assessments/{ref}/findings/", {"findings": list(items)}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["results"]


def jpeg(size=(1200, 900), colour=(30, 120, 200)):
    output = io.BytesIO()
    Image.new("RGB", size, colour).save(output, format="JPEG", quality=90)
    return output.getvalue()


# --- the package --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_package_holds_the_factory_the_whole_checklist_in_three_languages_and_what_is_captured(
    started, team, content
):
    save_finding(started, question_code="CL.1.1", answer=Answer.NON_COMPLIANT, note="Seen", actor=team.monitor2)
    response = client_for(team.monitor).get(f"{API}/assessments/{started.ref}/package/")
    assert response.status_code == 200
    package = response.json()
    assert package["factory"]["ref"] == "TEAM-1"
    assert package["factory"]["names"] == {"en": "Team Factory", "km": "រោងចក្រក្រុម", "zh-hans": "团队工厂"}
    checklist = APIClient().get(package["checklist"]["url"]).json()  # its own, public, address
    questions = [q for c in checklist["clusters"] for p in c["compliance_points"] for q in p["questions"]]
    assert len(questions) == content.questions.count() == 274
    assert all(set(q["text"]) == {"en", "km", "zh-hans"} and all(q["text"].values()) for q in questions)
    assert package["findings"]["CL.1.1"]["row_version"] == 1
    assert package["findings"]["CL.1.1"]["note"] == "Seen"
    assert len(package["assessment"]["editable_clusters"]) == 8
    assert package["previous"] is None


@pytest.mark.django_db
def test_the_package_carries_the_previous_published_visit_of_the_factory(started, team, content):
    from datetime import date

    from ims.assessments.workflow import plan_assessment

    earlier = plan_assessment(factory=team.factory, version=content, actor=team.head, visit_start=date(2025, 11, 3),
                              visit_end=date(2025, 11, 4), monitors=[team.monitor])  # fmt: skip
    transition(earlier, "start", team.monitor)
    answer_all(earlier, team.monitor, noncompliant=("CL.1.1",))
    transition(earlier, "submit", team.monitor)
    transition(earlier, "approve", team.head)
    previous = client_for(team.monitor).get(f"{API}/assessments/{started.ref}/package/").json()["previous"]
    assert previous["ref"] == earlier.ref
    assert previous["findings"]["CL.1.1"]["answer"] == "non_compliant"
    assert len(previous["findings"]) == 274


@pytest.mark.django_db
def test_who_may_download_a_package(started, team, make_user, programme):
    outsider = make_user("outsider@team.example", Role.MONITOR, programme)
    # A monitor off the team does not learn the draft exists: 404, as for the factory, buyers and partners.
    expected = {team.monitor: 200, team.monitor2: 200, team.head: 200, outsider: 404, team.manager: 404,
                team.buyer: 404, team.partner: 404}  # fmt: skip
    for user, status in expected.items():
        assert client_for(user).get(f"{API}/assessments/{started.ref}/package/").status_code == status, user
    assert APIClient().get(f"{API}/assessments/{started.ref}/package/").status_code in (401, 403)


# --- findings: once, and conflicts kept --------------------------------------------------------------------


@pytest.mark.django_db
def test_a_resent_submission_is_accepted_once_and_creates_nothing_new(started, team):
    client = client_for(team.monitor)
    first = item("CL.1.1", Answer.NON_COMPLIANT, "A boy of 14")
    (created,) = send(client, started.ref, first)
    assert (created["status"], created["outcome"], created["finding"]["row_version"]) == (201, "created", 1)
    for _attempt in range(3):
        (again,) = send(client, started.ref, first)
        assert (again["status"], again["outcome"]) == (200, "duplicate")
    finding = Finding.objects.get(assessment=started)
    assert (finding.answer, finding.note, finding.row_version, str(finding.client_uuid)) == (
        "non_compliant", "A boy of 14", 1, first["client_uuid"],
    )  # fmt: skip
    assert SubmissionReceipt.objects.count() == 1


@pytest.mark.django_db
def test_the_same_uuid_with_other_content_is_a_recorded_409(started, team):
    client = client_for(team.monitor)
    first = item("CL.1.1", Answer.COMPLIANT)
    send(client, started.ref, first)
    (tampered,) = send(client, started.ref, {**first, "answer": Answer.NON_COMPLIANT})
    assert tampered["status"] == 409
    assert Finding.objects.get(assessment=started).answer == "compliant"
    conflict = SyncConflict.objects.get()
    assert conflict.client_payload["answer"] == "non_compliant"
    assert conflict.server_state["answer"] == "compliant"
    single = client.put(f"{API}/assessments/{started.ref}/findings/{first['client_uuid']}/",
                        {**first, "answer": Answer.NOT_ASSESSED}, format="json")  # fmt: skip
    assert single.status_code == 409
    same = client.put(f"{API}/assessments/{started.ref}/findings/{first['client_uuid']}/", first, format="json")
    assert same.status_code == 200


@pytest.mark.django_db
def test_an_edit_from_the_current_version_goes_through_and_a_stale_one_is_kept_as_a_conflict(started, team):
    tablet = client_for(team.monitor)
    send(tablet, started.ref, item("CL.1.1", Answer.COMPLIANT))
    (edited,) = send(tablet, started.ref, item("CL.1.1", Answer.NON_COMPLIANT, "Seen later", base_version=1))
    assert (edited["status"], edited["outcome"], edited["finding"]["row_version"]) == (200, "updated", 2)
    # A colleague changes it online; the tablet, still at version 2, sends another edit.
    save_finding(started, question_code="CL.1.1", answer=Answer.NOT_ASSESSED, note="Could not check",
                 actor=team.monitor2, expected_version=2)  # fmt: skip
    stale = item("CL.1.1", Answer.COMPLIANT, "Checked again", base_version=2)
    (refused,) = send(tablet, started.ref, stale)
    assert refused["status"] == 409
    assert refused["conflict"]["server"]["answer"] == "not_assessed"
    assert refused["conflict"]["client"]["note"] == "Checked again"
    assert Finding.objects.get(assessment=started).answer == "not_assessed"
    # Re-sending the same stale submission reports the same conflict, without a second record.
    (again,) = send(tablet, started.ref, stale)
    assert again["status"] == 409 and again["conflict"]["id"] == refused["conflict"]["id"]
    assert SyncConflict.objects.count() == 1
    # The monitor keeps theirs: sent again from the stored version, it goes through and settles the conflict.
    (kept,) = send(tablet, started.ref, item("CL.1.1", Answer.COMPLIANT, "Checked again", base_version=3))
    assert kept["status"] == 200 and kept["finding"]["row_version"] == 4
    conflict = SyncConflict.objects.get()
    assert conflict.resolution == SyncConflict.Resolution.KEPT_MINE and conflict.resolved_by == team.monitor
    assert AuditEvent.objects.filter(action="capture.conflict").count() == 1


@pytest.mark.django_db
def test_keeping_the_stored_answer_closes_the_conflict_and_keeps_the_tablets_version_on_record(started, team):
    save_finding(started, question_code="CL.1.1", answer=Answer.NOT_ASSESSED, actor=team.monitor2)
    tablet = client_for(team.monitor)
    (refused,) = send(tablet, started.ref, item("CL.1.1", Answer.COMPLIANT, "Mine"))
    conflict_id = refused["conflict"]["id"]
    assert client_for(team.monitor2).post(f"{API}/conflicts/{conflict_id}/resolve/", {"resolution": "theirs"},
                                          format="json").status_code == 404  # fmt: skip
    response = tablet.post(f"{API}/conflicts/{conflict_id}/resolve/", {"resolution": "theirs"}, format="json")
    assert response.status_code == 200
    conflict = SyncConflict.objects.get()
    assert conflict.resolution == SyncConflict.Resolution.TOOK_THEIRS
    assert conflict.client_payload["note"] == "Mine"
    package = tablet.get(f"{API}/assessments/{started.ref}/package/").json()
    assert package["open_conflicts"] == []


@pytest.mark.django_db
def test_one_bad_item_in_a_batch_does_not_block_the_others(started, team):
    results = send(client_for(team.monitor), started.ref, item("CL.1.1"), item("XX.9.9"),
                   {"question": "CL.1.2", "answer": "maybe"}, item("CL.1.3", Answer.NOT_APPLICABLE))  # fmt: skip
    assert [result["status"] for result in results] == [201, 400, 400, 201]
    assert Finding.objects.filter(assessment=started).count() == 2


@pytest.mark.django_db
def test_two_monitors_capture_different_clusters_of_one_assessment(started, team, content):
    AssessmentMonitor.objects.filter(assessment=started, user=team.monitor).update(clusters=["CL", "DI", "FL", "FA"])
    AssessmentMonitor.objects.filter(assessment=started, user=team.monitor2).update(clusters=["CO", "CT", "OS", "WT"])
    first, second = client_for(team.monitor), client_for(team.monitor2)
    packages = [client.get(f"{API}/assessments/{started.ref}/package/").json() for client in (first, second)]
    assert packages[0]["assessment"]["editable_clusters"] == ["CL", "DI", "FL", "FA"]
    assert packages[1]["assessment"]["editable_clusters"] == ["CO", "CT", "OS", "WT"]
    by_cluster = {}
    for question in content.questions.select_related("compliance_point__cluster"):
        by_cluster.setdefault(question.compliance_point.cluster.code, []).append(question.code)
    for client, package in zip((first, second), packages, strict=True):
        mine = [code for cluster in package["assessment"]["editable_clusters"] for code in by_cluster[cluster]]
        results = send(client, started.ref, *[item(code) for code in mine])
        assert {result["status"] for result in results} == {201}
    assert Finding.objects.filter(assessment=started).count() == 274
    (refused,) = send(first, started.ref, item(by_cluster["OS"][0], Answer.NON_COMPLIANT, base_version=1))
    assert refused["status"] == 403
    assert Finding.objects.get(assessment=started, question__code=by_cluster["OS"][0]).answer == "compliant"


# --- resumable uploads ------------------------------------------------------------------------------------


def open_upload(client, ref, data, question="CL.1.1", client_uuid=None):
    return client.post(
        f"{API}/assessments/{ref}/uploads/",
        {"client_uuid": str(client_uuid or uuid.uuid4()), "question": question, "size": len(data),
         "sha256": hashlib.sha256(data).hexdigest()},
        format="json",
    )  # fmt: skip


def put_piece(client, client_uuid, data, offset):
    return client.generic("PUT", f"{API}/uploads/{client_uuid}/", data, content_type="application/octet-stream",
                          HTTP_UPLOAD_OFFSET=str(offset))  # fmt: skip


@pytest.mark.django_db
def test_a_photo_arrives_in_pieces_resumes_after_a_break_and_is_stored_only_when_whole(started, team):
    save_finding(started, question_code="CL.1.1", answer=Answer.NON_COMPLIANT, actor=team.monitor)
    client = client_for(team.monitor)
    photo = jpeg()
    piece = len(photo) // 3 + 1
    opened = open_upload(client, started.ref, photo)
    assert opened.status_code == 201 and opened.json()["received"] == 0
    client_uuid = opened.json()["client_uuid"]
    assert put_piece(client, client_uuid, photo[:piece], 0).json()["received"] == piece
    # The connection drops; the tablet reopens the same upload and learns where to continue.
    reopened = open_upload(client, started.ref, photo, client_uuid=client_uuid)
    assert reopened.status_code == 200 and reopened.json() == {**reopened.json(), "received": piece, "complete": False}
    assert Evidence.objects.count() == 0
    # A piece sent from the wrong place is refused with the right place to continue from.
    wrong = put_piece(client, client_uuid, photo[2 * piece :], 2 * piece)
    assert wrong.status_code == 409 and wrong.json()["details"]["received"] == piece
    middle = put_piece(client, client_uuid, photo[piece : 2 * piece], piece).json()
    assert middle["complete"] is False and Evidence.objects.count() == 0
    done = put_piece(client, client_uuid, photo[2 * piece :], 2 * piece).json()
    assert done["complete"] is True and done["received"] == len(photo)
    evidence = Evidence.objects.get()
    assert str(evidence.client_uuid) == client_uuid and evidence.finding.question.code == "CL.1.1"
    assert UploadChunk.objects.count() == 0
    # Sending the last piece again, or reopening, changes nothing.
    assert put_piece(client, client_uuid, photo[2 * piece :], 2 * piece).json()["complete"] is True
    assert open_upload(client, started.ref, photo, client_uuid=client_uuid).json()["complete"] is True
    assert Evidence.objects.count() == 1


@pytest.mark.django_db
def test_a_damaged_photo_is_never_stored_and_the_upload_restarts_from_zero(started, team):
    save_finding(started, question_code="CL.1.1", answer=Answer.COMPLIANT, actor=team.monitor)
    client = client_for(team.monitor)
    photo = jpeg()
    client_uuid = open_upload(client, started.ref, photo).json()["client_uuid"]
    damaged = bytearray(photo)
    damaged[500] ^= 0xFF
    response = put_piece(client, client_uuid, bytes(damaged), 0)
    assert response.status_code == 400 and response.json()["details"]["received"] == 0
    session = UploadSession.objects.get()
    assert (session.received, session.completed_at, Evidence.objects.count()) == (0, None, 0)
    assert put_piece(client, client_uuid, photo, 0).json()["complete"] is True
    assert Evidence.objects.count() == 1


@pytest.mark.django_db
def test_upload_rules(started, team, settings):
    client = client_for(team.monitor)
    photo = jpeg()
    assert open_upload(client, started.ref, photo).status_code == 400  # no answer yet
    save_finding(started, question_code="CL.1.1", answer=Answer.COMPLIANT, actor=team.monitor)
    client_uuid = uuid.uuid4()
    open_upload(client, started.ref, photo, client_uuid=client_uuid)
    other = jpeg(colour=(0, 0, 0))
    assert open_upload(client, started.ref, other, client_uuid=client_uuid).status_code == 409
    assert put_piece(client_for(team.monitor2), client_uuid, photo, 0).status_code == 403
    too_long = put_piece(client, client_uuid, photo + b"extra", 0)
    assert too_long.status_code == 400
    settings.IMS_MAX_UPLOAD_BYTES = 1000
    assert open_upload(client, started.ref, photo).status_code == 400


@pytest.mark.django_db
def test_the_sync_check_says_complete_only_when_every_submission_and_photo_is_in(started, team):
    client = client_for(team.monitor)
    finding = item("CL.1.1")
    send(client, started.ref, finding)
    photo = jpeg()
    client_uuid = open_upload(client, started.ref, photo).json()["client_uuid"]
    check = {"findings": [finding["client_uuid"]], "photos": [client_uuid]}
    first = client.post(f"{API}/assessments/{started.ref}/sync-check/", check, format="json").json()
    assert first == {"complete": False, "missing_findings": [], "incomplete_photos": [client_uuid]}
    put_piece(client, client_uuid, photo, 0)
    second = client.post(f"{API}/assessments/{started.ref}/sync-check/", check, format="json").json()
    assert second["complete"] is True


@pytest.mark.django_db
def test_the_demo_splits_the_visit_being_captured_between_the_two_monitors(make_factory, make_user, programme,
                                                                              content):  # fmt: skip
    from datetime import date

    from ims.assessments.workflow import plan_assessment
    from ims.capture import demo

    monitors = [make_user(email, Role.MONITOR, programme) for email in ("monitor@ims.demo", "monitor2@ims.demo")]
    visit = plan_assessment(
        factory=make_factory("KH-0002"), version=content, actor=monitors[0], visit_start=date(2026, 11, 23),
        visit_end=date(2026, 11, 24), monitors=monitors,
    )  # fmt: skip
    transition(visit, "start", monitors[0])
    demo.seed(io.StringIO())
    assert dict(visit.team.values_list("user__email", "clusters")) == {
        "monitor@ims.demo": demo.FIRST_HALF, "monitor2@ims.demo": demo.SECOND_HALF,
    }  # fmt: skip

    # Seeding again (seed_demo runs on every `./dev demo`) leaves the team as it is, even once the head
    # has changed the split since.
    visit.team.filter(user__email="monitor2@ims.demo").update(clusters=["OS"])
    demo.seed(io.StringIO())
    assert dict(visit.team.values_list("user__email", "clusters")) == {
        "monitor@ims.demo": demo.FIRST_HALF, "monitor2@ims.demo": ["OS"],
    }  # fmt: skip


# --- a condition not met ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_checklist_file_names_each_questions_condition_and_the_package_its_photos_and_sector_in_each_language(
    started, team, content
):
    package = client_for(team.monitor).get(f"{API}/assessments/{started.ref}/package/").json()
    checklist = APIClient().get(package["checklist"]["url"]).json()
    conditions = {c.code: c for c in content.conditions.all()}
    assert {code: item["label"]["en"] for code, item in checklist["conditions"].items()} == {
        code: condition.label_en for code, condition in conditions.items()
    }
    questions = {q["code"]: q for c in checklist["clusters"] for p in c["compliance_points"] for q in p["questions"]}
    expected = dict(content.questions.values_list("code", "applies_if__code"))
    assert {code: question["applies_if"] for code, question in questions.items()} == expected
    assert set(package["factory"]["sector"]) == {"en", "km", "zh-hans"}
    assert package["answers"] == ["compliant", "non_compliant", "not_applicable", "not_assessed"]


@pytest.mark.django_db
def test_questions_of_an_unmet_condition_are_stored_not_applicable_saying_so_and_replays_change_nothing(
    started, team, content
):
    governed = list(content.questions.filter(applies_if__isnull=False).values_list("code", flat=True)[:3])
    client = client_for(team.monitor)
    items = [{**item(code, Answer.NOT_APPLICABLE), "condition_not_met": True} for code in governed]
    assert [result["status"] for result in send(client, started.ref, *items)] == [201, 201, 201]
    stored = Finding.objects.filter(assessment=started).values_list("question__code", "answer", "condition_not_met")
    assert sorted(stored) == sorted((code, "not_applicable", True) for code in governed)
    assert [result["status"] for result in send(client, started.ref, *items)] == [200, 200, 200]
    assert SubmissionReceipt.objects.count() == 3
    # A note added where the condition is not said (the plain page, the API, ODK) keeps it; the capture screen
    # says false when the monitor answers by hand: the question is the monitor's judgement again.
    finding = Finding.objects.get(assessment=started, question__code=governed[0])
    save_finding(started, question_code=governed[0], answer=Answer.NOT_APPLICABLE, note="Payroll checked",
                 actor=team.monitor2, expected_version=finding.row_version)  # fmt: skip
    finding.refresh_from_db()
    assert (finding.note, finding.condition_not_met) == ("Payroll checked", True)
    by_hand = {**item(governed[0], Answer.NOT_APPLICABLE, base_version=finding.row_version), "condition_not_met": False}
    (result,) = send(client, started.ref, by_hand)
    assert result["status"] == 200
    assert Finding.objects.get(pk=finding.pk).condition_not_met is False
    other = Finding.objects.get(assessment=started, question__code=governed[1])
    save_finding(started, question_code=governed[1], answer=Answer.COMPLIANT, actor=team.monitor2,
                 expected_version=other.row_version)  # fmt: skip
    assert Finding.objects.get(pk=other.pk).condition_not_met is False


@pytest.mark.django_db
def test_condition_not_met_is_refused_for_another_answer_a_question_without_condition_or_a_non_boolean(
    started, team, content
):
    conditional = content.questions.filter(applies_if__isnull=False).first().code
    unconditional = content.questions.filter(applies_if__isnull=True).first().code
    client = client_for(team.monitor)
    results = send(
        client,
        started.ref,
        {**item(conditional, Answer.COMPLIANT), "condition_not_met": True},
        {**item(unconditional, Answer.NOT_APPLICABLE), "condition_not_met": True},
        {**item(conditional, Answer.NOT_APPLICABLE), "condition_not_met": "yes"},
    )
    assert [result["status"] for result in results] == [400, 400, 400]
    assert "Only a not applicable answer" in results[0]["message"]
    assert f"Question {unconditional} applies to every factory" in results[1]["message"]
    assert "condition_not_met must be true or false" in results[2]["message"]
    assert not Finding.objects.exists()
