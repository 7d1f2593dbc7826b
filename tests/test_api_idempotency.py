"""Idempotency-Key: a retried write replays its first answer; a reused key with another request is refused."""

import io
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from ims.api.models import IdempotencyRecord
from ims.assessments.models import Evidence, Finding
from ims.audit.models import AuditEvent
from ims.responses.models import Objection
from tests.clients import API, put_finding, signed_in, step
from tests.factories import png_bytes, publish


@pytest.mark.django_db
def test_a_retried_objection_is_filed_once(assessment, team):
    publish(assessment, team, noncompliant=("OS.8.7", "CO.1.1"))
    manager = signed_in(team.manager)
    url = f"{API}/findings/{assessment.findings.get(question__code='CO.1.1').pk}/objections/"
    body = {"text": "Wages were paid in full", "language": "en"}

    first = manager.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="tablet-7-objection-1")
    retry = manager.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="tablet-7-objection-1")

    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Objection.objects.count() == 1
    assert AuditEvent.objects.filter(action="objection.filed").count() == 1
    # Without the key the service runs again, and refuses a second open objection.
    assert manager.post(url, body, format="json").status_code == 409


@pytest.mark.django_db
def test_a_retried_finding_edit_replays_instead_of_conflicting(started, team):
    monitor = signed_in(team.monitor)
    put_finding(monitor, started.ref, "OS.3.1", "compliant")
    url = f"{API}/assessments/{started.ref}/findings/OS.3.1/"
    edit = {"answer": "non_compliant", "note": "Needle guards missing", "row_version": 1}

    first = monitor.put(url, edit, format="json", HTTP_IDEMPOTENCY_KEY="edit-1")
    retry = monitor.put(url, edit, format="json", HTTP_IDEMPOTENCY_KEY="edit-1")

    assert (first.status_code, retry.status_code) == (200, 200)  # run again, row_version 1 would be a 409
    assert retry.json()["row_version"] == 2
    assert Finding.objects.get().row_version == 2


@pytest.mark.django_db
def test_the_same_key_with_another_request_answers_422_and_changes_nothing(started, team):
    monitor = signed_in(team.monitor)
    url = f"{API}/assessments/{started.ref}/findings/OS.3.1/"
    monitor.put(url, {"answer": "compliant"}, format="json", HTTP_IDEMPOTENCY_KEY="key-1")

    other_body = monitor.put(url, {"answer": "not_assessed"}, format="json", HTTP_IDEMPOTENCY_KEY="key-1")
    other_path = monitor.put(f"{API}/assessments/{started.ref}/findings/CL.1.1/", {"answer": "compliant"},
                             format="json", HTTP_IDEMPOTENCY_KEY="key-1")  # fmt: skip

    for refused in (other_body, other_path):
        assert refused.status_code == 422
        assert refused.json()["error"] == "idempotency_key_reused"
        assert "different request" in refused.json()["message"]
    assert other_path.json()["details"]["first_request"] == {"method": "PUT", "path": url}
    assert list(Finding.objects.values_list("question__code", "answer")) == [("OS.3.1", "compliant")]


@pytest.mark.django_db
def test_keys_belong_to_one_user(started, team):
    url = f"{API}/assessments/{started.ref}/findings/OS.3.1/"
    signed_in(team.monitor).put(url, {"answer": "compliant"}, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    second = signed_in(team.monitor2).put(url, {"answer": "compliant", "note": "Seen too", "row_version": 1},
                                          format="json", HTTP_IDEMPOTENCY_KEY="shared")  # fmt: skip
    assert second.status_code == 200
    assert Finding.objects.get().note == "Seen too"


@pytest.mark.django_db
def test_an_error_answer_is_replayed_too(assessment, team):
    """A refusal is an answer: the retry gets it again without the service running twice."""
    monitor = signed_in(team.monitor)
    url = f"{API}/assessments/{assessment.ref}/transitions/"
    first = monitor.post(url, {"action": "submit"}, format="json", HTTP_IDEMPOTENCY_KEY="submit-1")
    assert first.status_code == 409
    step(monitor, assessment.ref, "start")  # the state changed: running again would now be a 400
    retry = monitor.post(url, {"action": "submit"}, format="json", HTTP_IDEMPOTENCY_KEY="submit-1")
    assert (retry.status_code, retry.json()) == (409, first.json())


@pytest.mark.django_db
def test_a_multipart_upload_retry_is_recognised_despite_a_new_boundary(started, team):
    monitor = signed_in(team.monitor)
    put_finding(monitor, started.ref, "OS.8.7", "non_compliant")
    url = f"{API}/assessments/{started.ref}/findings/OS.8.7/evidence/"
    photo = png_bytes()

    first = monitor.post(url, {"photo": io.BytesIO(photo)}, format="multipart", HTTP_IDEMPOTENCY_KEY="photo-1")
    retry = monitor.post(url, {"photo": io.BytesIO(photo)}, format="multipart", HTTP_IDEMPOTENCY_KEY="photo-1")
    other = monitor.post(url, {"photo": io.BytesIO(png_bytes((50, 50)))}, format="multipart",
                         HTTP_IDEMPOTENCY_KEY="photo-1")  # fmt: skip

    assert (first.status_code, retry.status_code, other.status_code) == (201, 201, 422)
    assert retry.json()["id"] == first.json()["id"]
    assert Evidence.objects.count() == 1


@pytest.mark.django_db
def test_a_server_error_leaves_the_key_free_for_a_retry(started, team, monkeypatch):
    import ims.assessments.finding_api

    real_save_finding = ims.assessments.finding_api.save_finding
    monkeypatch.setattr(ims.assessments.finding_api, "save_finding", lambda *args, **kwargs: 1 / 0)
    monitor = signed_in(team.monitor)
    url = f"{API}/assessments/{started.ref}/findings/OS.3.1/"

    assert monitor.put(url, {"answer": "compliant"}, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 500
    assert not IdempotencyRecord.objects.exists()
    monkeypatch.setattr(ims.assessments.finding_api, "save_finding", real_save_finding)
    assert monitor.put(url, {"answer": "compliant"}, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 201


@pytest.mark.django_db
def test_keys_expire_after_a_day(started, team):
    monitor = signed_in(team.monitor)
    url = f"{API}/assessments/{started.ref}/findings/OS.3.1/"
    monitor.put(url, {"answer": "compliant"}, format="json", HTTP_IDEMPOTENCY_KEY="old")
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=25))

    reused = monitor.put(url, {"answer": "not_assessed", "row_version": 1}, format="json", HTTP_IDEMPOTENCY_KEY="old")

    assert reused.status_code == 200  # a new request, not a 422 against the expired one
    assert Finding.objects.get().answer == "not_assessed"
    assert IdempotencyRecord.objects.get().created_at > timezone.now() - timedelta(minutes=1)


@pytest.mark.django_db
def test_the_purge_command_deletes_expired_records(started, team):
    monitor = signed_in(team.monitor)
    for code in ("OS.3.1", "CL.1.1"):
        monitor.put(f"{API}/assessments/{started.ref}/findings/{code}/", {"answer": "compliant"}, format="json",
                    HTTP_IDEMPOTENCY_KEY=code)  # fmt: skip
    IdempotencyRecord.objects.filter(key="OS.3.1").update(created_at=timezone.now() - timedelta(hours=25))
    output = StringIO()

    call_command("purge_idempotency_records", stdout=output)

    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["CL.1.1"]
    assert "Deleted 1" in output.getvalue()


@pytest.mark.django_db
def test_writes_without_a_key_store_nothing_and_reads_ignore_keys(started, team):
    monitor = signed_in(team.monitor)
    assert put_finding(monitor, started.ref, "OS.3.1", "compliant").status_code == 201
    listed = monitor.get(f"{API}/assessments/{started.ref}/findings/", HTTP_IDEMPOTENCY_KEY="read")
    assert listed.status_code == 200
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.django_db
def test_an_overlong_key_is_refused(started, team):
    answer = signed_in(team.monitor).put(f"{API}/assessments/{started.ref}/findings/OS.3.1/", {"answer": "compliant"},
                                         format="json", HTTP_IDEMPOTENCY_KEY="k" * 256)  # fmt: skip
    assert (answer.status_code, answer.json()["error"]) == (400, "invalid")
    assert not Finding.objects.exists()
