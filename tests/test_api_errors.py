"""Every refusal answers {"error", "message", "details"} with the right status, and changes nothing."""

import io
import os

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from ims.assessments.models import Assessment, Evidence, Finding, Status
from ims.audit.models import AuditEvent
from tests.clients import API, put_finding, signed_in, step
from tests.factories import png_bytes


def assert_error(response, status, code, *message_parts):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error", "message", "details"}
    assert body["error"] == code
    for part in message_parts:
        assert part in body["message"]
    return body


def changes_nothing(assessment):
    """What a refused request must leave as it was."""
    stored = Assessment.objects.get(pk=assessment.pk)
    return (stored.status, stored.row_version, list(Finding.objects.values_list("pk", "answer", "note", "row_version")),
            Evidence.objects.count(), AuditEvent.objects.count())  # fmt: skip


@pytest.mark.django_db
def test_malformed_json_is_refused_and_changes_nothing(started, team):
    monitor = signed_in(team.monitor)
    put_finding(monitor, started.ref, "CL.1.1", "compliant")
    before = changes_nothing(started)

    for method, url in (
        ("put", f"{API}/assessments/{started.ref}/findings/CL.1.1/"),
        ("post", f"{API}/assessments/{started.ref}/transitions/"),
        ("post", f"{API}/assessments/"),
    ):
        answer = getattr(monitor, method)(url, data='{"answer": "non_compliant", ', content_type="application/json")
        assert_error(answer, 400, "malformed_json", "malformed JSON")

    assert changes_nothing(started) == before


@pytest.mark.django_db
def test_field_errors_are_listed_per_field(started, team):
    answer = put_finding(signed_in(team.monitor), started.ref, "CL.1.1", "maybe", note_language="fr", row_version=0)
    body = assert_error(answer, 400, "invalid")
    assert set(body["details"]) == {"answer", "note_language", "row_version"}
    assert not Finding.objects.exists()


@pytest.mark.django_db
def test_an_unknown_question_code_is_named_in_the_error(started, team):
    answer = put_finding(signed_in(team.monitor), started.ref, "XX.9.9", "compliant")
    assert_error(answer, 400, "invalid", "XX.9.9", started.checklist_version.code)
    assert not Finding.objects.exists()


@pytest.mark.django_db
def test_the_wrong_state_answers_409_and_changes_nothing(assessment, team):
    monitor, head = signed_in(team.monitor), signed_in(team.head)
    before = changes_nothing(assessment)

    assert_error(put_finding(monitor, assessment.ref, "CL.1.1", "compliant"), 409, "conflict", "planned")
    body = assert_error(step(head, assessment.ref, "approve"), 409, "conflict", "cannot be approved")
    assert body["details"] == {"status": "planned"}
    assert_error(step(monitor, assessment.ref, "submit"), 409, "conflict")

    assert changes_nothing(assessment) == before
    assert Assessment.objects.get(pk=assessment.pk).status == Status.PLANNED


@pytest.mark.django_db
def test_submitting_too_early_says_how_many_questions_are_missing(started, team):
    monitor = signed_in(team.monitor)
    put_finding(monitor, started.ref, "CL.1.1", "compliant")
    body = assert_error(step(monitor, started.ref, "submit"), 400, "invalid")
    assert body["details"]["missing"] == started.checklist_version.questions.count() - 1


@pytest.mark.django_db
def test_a_fake_image_is_refused_and_stores_nothing(started, team, media):
    monitor = signed_in(team.monitor)
    put_finding(monitor, started.ref, "OS.8.7", "non_compliant")

    answer = monitor.post(f"{API}/assessments/{started.ref}/findings/OS.8.7/evidence/",
                          {"photo": io.BytesIO(os.urandom(4096))}, format="multipart")  # fmt: skip

    assert_error(answer, 400, "invalid", "not a readable photo")
    assert not Evidence.objects.exists()
    assert not any(media.rglob("*.jpg"))


@pytest.mark.django_db
def test_an_oversized_file_is_refused_and_stores_nothing(started, team, settings):
    settings.IMS_MAX_UPLOAD_BYTES = 1024 * 1024
    monitor = signed_in(team.monitor)
    put_finding(monitor, started.ref, "OS.8.7", "non_compliant")
    oversized = png_bytes() + os.urandom(1024 * 1024)

    answer = monitor.post(f"{API}/assessments/{started.ref}/findings/OS.8.7/evidence/",
                          {"photo": io.BytesIO(oversized)}, format="multipart")  # fmt: skip

    assert_error(answer, 400, "invalid", "larger than 1 MB")
    assert not Evidence.objects.exists()


@pytest.mark.django_db
def test_evidence_needs_a_saved_finding_and_a_file(started, team):
    monitor = signed_in(team.monitor)
    url = f"{API}/assessments/{started.ref}/findings/OS.8.7/evidence/"
    assert_error(monitor.post(url, {"photo": io.BytesIO(png_bytes())}, format="multipart"), 404, "not_found", "OS.8.7")
    put_finding(monitor, started.ref, "OS.8.7", "non_compliant")
    body = assert_error(monitor.post(url, {}, format="multipart"), 400, "invalid")
    assert "photo" in body["details"]
    assert_error(monitor.post(url, {"photo": "x"}, format="json"), 415, "unsupported_media_type")
    assert not Evidence.objects.exists()


@pytest.mark.django_db
def test_unknown_ids_and_addresses_answer_404(team, assessment):
    head = signed_in(team.head)
    assert_error(head.get(f"{API}/assessments/NOPE-1/"), 404, "not_found")
    assert_error(head.get(f"{API}/assessments/{assessment.ref}/revisions/7/"), 404, "not_found")
    assert_error(head.post(f"{API}/objections/999999/ruling/", {}, format="json"), 404, "not_found")
    assert_error(head.get(f"{API}/no-such-endpoint/"), 404, "not_found")
    missing_slash = assert_error(head.post(f"{API}/assessments", {}, format="json"), 404, "not_found")
    assert missing_slash["details"] == {"did_you_mean": f"{API}/assessments/"}
    assert_error(head.delete(f"{API}/assessments/{assessment.ref}/"), 405, "method_not_allowed")


@pytest.mark.django_db
def test_anonymous_answers_401_in_the_request_language(assessment):
    anonymous = APIClient()
    body = assert_error(anonymous.get(f"{API}/assessments/"), 401, "not_authenticated")
    assert body["message"] == "Authentication credentials were not provided."
    answer = anonymous.get(f"{API}/assessments/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert answer["WWW-Authenticate"] == "Token"
    assert assert_error(answer, 401, "not_authenticated")["message"] == "身份认证信息未提供。"
    assert_error(APIClient(HTTP_AUTHORIZATION="Token not-a-token").get(f"{API}/assessments/"), 401, "not_authenticated")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "required"), [("km", "ចាំបាច់បំពេញទិន្នន័យកន្លែងនេះ។"), ("zh-hans", "这个字段是必填项。")]
)
def test_field_errors_follow_the_request_language(team, language, required):
    answer = signed_in(team.monitor).post(f"{API}/assessments/", {}, format="json", HTTP_ACCEPT_LANGUAGE=language)
    assert assert_error(answer, 400, "invalid")["details"]["factory"] == [required]


@pytest.mark.django_db
def test_the_request_language_wins_over_the_language_cookie_of_the_site(team):
    client = signed_in(team.monitor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "km"
    answer = client.post(f"{API}/assessments/", {}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert assert_error(answer, 400, "invalid")["details"]["factory"] == ["这个字段是必填项。"]
    without_header = client.post(f"{API}/assessments/", {}, format="json")
    assert assert_error(without_header, 400, "invalid")["details"]["factory"] == ["ចាំបាច់បំពេញទិន្នន័យកន្លែងនេះ។"]


@pytest.mark.django_db
def test_a_wrong_password_gets_no_token(team):
    answer = APIClient().post(f"{API}/auth/token/", {"email": team.monitor.email, "password": "wrong"}, format="json")
    assert_error(answer, 400, "invalid_credentials")
    answer = APIClient().post(f"{API}/auth/token/", {"email": "not-an-email"}, format="json")
    assert set(assert_error(answer, 400, "invalid")["details"]) == {"email", "password"}


@pytest.mark.django_db
def test_the_user_rate_limit_answers_429(team, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {"anon": "100/minute", "user": "3/minute"}}  # fmt: skip
    head = signed_in(team.head)
    assert [head.get(f"{API}/assessments/").status_code for _ in range(3)] == [200, 200, 200]
    refused = head.get(f"{API}/assessments/")
    body = assert_error(refused, 429, "throttled")
    assert int(refused["Retry-After"]) == body["details"]["wait_seconds"] > 0


@pytest.mark.django_db
def test_the_anonymous_rate_limit_slows_password_guessing(team, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {"anon": "2/minute", "user": "100/minute"}}  # fmt: skip
    guess = {"email": team.head.email, "password": "guess"}
    anonymous = APIClient()
    assert [anonymous.post(f"{API}/auth/token/", guess, format="json").status_code for _ in range(2)] == [400, 400]
    assert_error(anonymous.post(f"{API}/auth/token/", guess, format="json"), 429, "throttled")


@pytest.mark.django_db
def test_an_unexpected_error_answers_500_in_the_same_shape_and_rolls_back(started, team, monkeypatch, caplog):
    import ims.assessments.finding_api

    def broken(*args, **kwargs):
        Finding.objects.filter(assessment=started).update(note="half-done write")
        raise RuntimeError("bug")

    monitor = signed_in(team.monitor)
    put_finding(monitor, started.ref, "CL.1.1", "compliant")
    monkeypatch.setattr(ims.assessments.finding_api, "save_finding", broken)

    answer = put_finding(monitor, started.ref, "CL.1.1", "non_compliant", row_version=1)

    assert_error(answer, 500, "server_error", "nothing was changed")
    assert Finding.objects.get().note == ""
    assert "Unexpected error" in caplog.text
