"""The malformed values issue 15 found answered with a 500, or stored: each is now a 4xx in the API's error shape
(or a form error on the page) and nothing is stored. Numbers and ids are read from ASCII digits only."""

import json
import uuid
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ims.accounts.models import Organisation, Role
from ims.advisory import services as advisory
from ims.advisory.models import CommitteeMeeting
from ims.api.models import IdempotencyRecord
from ims.assessments.models import Evidence
from ims.capture.models import ExternalSubmission, SubmissionReceipt, SyncConflict
from ims.core.numbers import RecordChoiceField, WholeNumberField, record_id, whole_number
from ims.grants.models import AccessGrant
from tests.clients import API, signed_in
from tests.factories import png_bytes

pytestmark = pytest.mark.django_db

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def in_arabic_indic_digits(number):
    return str(number).translate(ARABIC_INDIC)


def assert_api_error(answer, status=400):
    assert answer.status_code == status, answer.content
    body = answer.json()
    assert set(body) >= {"error", "message"} and body["message"], body


# --- the rules, in ims.core.numbers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("42", 42), (" 7 ", 7), (-3, -3), (12, 12), ("٣", None), ("²", None), ("1.5", None), (1.5, None),
     (True, None), (str(10**30), None), (10**30, None), ("", None), (None, None), ("1e3", None)],
)  # fmt: skip
def test_a_whole_number_is_ascii_digits_within_a_database_integer(value, expected):
    assert whole_number(value) == expected


def test_an_id_is_positive_and_may_be_as_large_as_a_bigint():
    assert record_id(str(2**62)) == 2**62
    assert record_id("0") is None and record_id("-4") is None and record_id("٤") is None


def test_the_form_fields_refuse_unicode_digits_and_numbers_beyond_a_database_integer(team):
    count = WholeNumberField(min_value=1)
    for value in ("٣", "²", str(10**30), "9" * 30):
        with pytest.raises(ValidationError):
            count.clean(value)
    assert count.clean("3") == 3
    buyers = RecordChoiceField(queryset=Organisation.objects.filter(kind=Organisation.Kind.BUYER))
    with pytest.raises(ValidationError):
        buyers.clean(in_arabic_indic_digits(team.buyer_org.pk))
    assert buyers.clean(str(team.buyer_org.pk)) == team.buyer_org


# --- buyers named in Unicode digits ---------------------------------------------------------------------------


def test_a_buyer_sent_in_arabic_indic_digits_is_not_the_organisation_of_that_number(team):
    manager = signed_in(team.manager)
    for buyer in (in_arabic_indic_digits(team.buyer_org.pk), "²"):
        answer = manager.post(f"{API}/access-grants/", {"buyer": buyer, "factory": team.factory.ref}, format="json")
        assert_api_error(answer)
    assert not AccessGrant.objects.exists()


def test_the_grants_page_refuses_a_buyer_in_arabic_indic_digits(client, team):
    client.force_login(team.manager)
    page = client.post(reverse("grants:grants"), {
        "factory": team.factory.ref, "buyer": in_arabic_indic_digits(team.buyer_org.pk), "expires_on": "",
    })  # fmt: skip
    assert page.status_code == 400 and "Select a valid choice" in page.text
    assert not AccessGrant.objects.exists()


# --- the assessment's autosave, tablets and ODK ----------------------------------------------------------------


@pytest.mark.parametrize("row_version", ["1.5", "true", "٣", str(10**30)])
def test_the_capture_form_refuses_a_row_version_that_is_not_a_whole_number(client, team, started, row_version):
    client.force_login(team.monitor)
    form_url = reverse("assessments:capture", args=[started.ref, "CL"])
    first = client.post(form_url, {"question": "CL.1.1", "answer": "compliant"})
    assert first.status_code == 302, first.content
    stored = started.findings.get(question__code="CL.1.1")
    answer = client.post(form_url, {"question": "CL.1.1", "answer": "non_compliant", "row_version": row_version})
    assert answer.status_code == 400, answer.content
    assert "The row version must be a whole number." in answer.text
    assert started.findings.get(question__code="CL.1.1").row_version == stored.row_version
    assert started.findings.get(question__code="CL.1.1").answer == "compliant"


def test_an_odk_instance_id_over_100_characters_is_refused_and_nothing_is_kept(team, started):
    monitor = signed_in(team.monitor)
    submission = {"__id": "uuid:" + "a" * 101, "q_CL_1_1": "compliant"}
    answer = monitor.post(f"{API}/capture/assessments/{started.ref}/submissions/", submission, format="json")
    assert_api_error(answer)
    assert "longer than 100 characters" in answer.json()["message"]
    assert not ExternalSubmission.objects.exists() and not started.findings.exists()


def test_a_question_code_of_5000_characters_is_refused_and_nothing_is_kept(team, started):
    monitor = signed_in(team.monitor)
    submission = {"client_uuid": str(uuid.uuid4()), "question": "Q" * 5000, "answer": "compliant"}
    answer = monitor.post(f"{API}/capture/assessments/{started.ref}/findings/", {"findings": [submission]},
                          format="json")  # fmt: skip
    assert answer.status_code < 500, answer.content
    assert answer.json()["results"][0]["status"] == 400
    assert not SubmissionReceipt.objects.exists() and not SyncConflict.objects.exists()
    path = monitor.put(f"{API}/assessments/{started.ref}/findings/{'Q' * 5000}/", {"answer": "compliant"},
                       format="json", HTTP_IDEMPOTENCY_KEY="one")  # fmt: skip
    assert_api_error(path)
    assert not started.findings.exists() and not IdempotencyRecord.objects.exists()


def test_an_address_over_1000_characters_with_an_idempotency_key_is_refused_and_no_key_is_kept(team, started):
    monitor = signed_in(team.monitor)
    long_ref = "R" * 1000
    answer = monitor.post(f"{API}/assessments/{long_ref}/transitions/", {"action": "submit"}, format="json",
                          HTTP_IDEMPOTENCY_KEY="retry-1")  # fmt: skip
    assert_api_error(answer)
    assert "longer than 1000 characters" in answer.json()["message"]
    assert not IdempotencyRecord.objects.exists()


# --- counts, years and ids in pages and the open data ----------------------------------------------------------


@pytest.mark.parametrize("attendees", [str(10**30), "9" * 30, "٣"])
def test_a_committee_meeting_of_10_to_the_30_attendees_is_a_form_error(client, team, make_user, programme, attendees):
    advisor = make_user("advisor@values.example", Role.ADVISOR, programme)
    committee = advisory.form_committee(team.factory, advisor, formed_on=date(2026, 1, 20))
    client.force_login(advisor)
    page = client.post(reverse("advisory:record_meeting", args=[committee.pk]), {
        "date": "2026-02-10", "attendees": attendees, "minutes_summary": "Water", "decisions": "", "language": "en",
    })  # fmt: skip
    assert page.status_code in (200, 400) and "Enter a whole number" in page.text
    assert not CommitteeMeeting.objects.exists()


@pytest.mark.parametrize("notification", ["²", "9" * 30, "٣"])
def test_a_paper_letter_named_in_superscript_or_30_nines_is_no_letter(client, team, notification):
    client.force_login(team.head)
    batch = client.get(reverse("notifications:paper_batch"), {"notification": notification})
    posted = client.post(reverse("notifications:paper_posted"), {"notification": notification})
    assert batch.status_code == 200 and "Chan" not in batch.text
    assert posted.status_code in (302, 400)


@pytest.mark.parametrize("year", ["²", "٢٠٢٦", str(10**30), "1e400"])
def test_the_open_data_refuses_a_year_that_is_not_ascii_digits(client, year):
    answer = client.get(f"{API}/public/statistics/noncompliance", {"year": year})
    assert_api_error(answer)
    assert answer.json()["message"] == "Give the year as four digits, e.g. ?year=2019."


def test_a_json_body_in_utf_16_is_refused(team, started):
    monitor = signed_in(team.monitor)
    body = json.dumps({"answer": "compliant"}).encode("utf-16")
    answer = monitor.generic("PUT", f"{API}/assessments/{started.ref}/findings/CL.1.1/", body,
                             content_type="application/json")  # fmt: skip
    assert_api_error(answer)
    assert answer.json()["error"] == "malformed_json"
    assert not started.findings.exists()


# --- bytes that are not UTF-8, and a NUL in a multipart form ---------------------------------------------------


def test_a_form_with_bytes_that_are_not_utf_8_is_refused_not_stored_as_replacement_characters(client, team, started):
    client.force_login(team.monitor)
    body = b"question=CL.1.1&answer=compliant&row_version=&note=Exit%FF%FE"
    page = client.generic("POST", reverse("assessments:capture", args=[started.ref, "CL"]), body,
                          content_type="application/x-www-form-urlencoded")  # fmt: skip
    assert page.status_code == 400
    assert not started.findings.exists()


def test_a_nul_in_a_multipart_form_field_is_refused_before_the_view(client, team, started):
    client.force_login(team.monitor)
    photo = SimpleUploadedFile("exit.png", png_bytes(), content_type="image/png")
    answer = client.post(reverse("assessments:upload_evidence", args=[started.ref]), {"question": "OS\x008.7",
                         "photo": photo}, HTTP_ACCEPT="application/json")  # fmt: skip
    assert_api_error(answer)
    assert answer.json()["error"] == "unstorable_input"
    assert not Evidence.objects.exists()
