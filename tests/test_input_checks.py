"""Text no database stores faithfully, and JSON no form would send, refused with a 400 before any view runs:
the same answer on SQLite (which would store a NUL silently) and PostgreSQL (whose query would fail)."""

import json
import uuid
from urllib.parse import urlencode

import pytest
from rest_framework.test import APIClient

from ims.assessments.models import Finding
from ims.core.errors import Invalid
from ims.core.input_checks import MAX_DEPTH, load_json

NUL_OR_SURROGATE = "The request contains a NUL character or an unpaired surrogate; nothing was changed."


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"note": "a\\u0000b"}', NUL_OR_SURROGATE),
        (b'{"note": "\\ud800"}', NUL_OR_SURROGATE),
        (b'{"a\\u0000": 1}', NUL_OR_SURROGATE),
        (b'[["\\udfff"]]', NUL_OR_SURROGATE),
        (b'{"row_version": 1e400}', "The request contains a number out of range; nothing was changed."),
        (b'{"row_version": -1e400}', "The request contains a number out of range; nothing was changed."),
        (b'{"row_version": NaN}', "The request contains NaN, which is not JSON; nothing was changed."),
        (b"[" * 100_000 + b"]" * 100_000, "The request's JSON is nested too deeply; nothing was changed."),
        (
            b"[" * (MAX_DEPTH + 2) + b"]" * (MAX_DEPTH + 2),
            "The request's JSON is nested too deeply; nothing was changed.",
        ),
        (b"9" * 5000, "The request body is malformed JSON; nothing was changed."),
        (b'{"note": "\xff"}', "The request body is malformed JSON; nothing was changed."),
    ],
)
def test_json_that_cannot_be_stored_faithfully_is_refused(body, message):
    with pytest.raises(Invalid) as refused:
        load_json(body)
    assert refused.value.message == message


def test_json_of_ordinary_depth_and_text_is_read_as_is():
    document = {"findings": [{"note": "ប្រាក់ឈ្នួល 工资 \u00e9", "row_version": 3, "ratio": 0.5}]}
    nested = json.dumps(document).encode()
    deep = b"[" * MAX_DEPTH + b"]" * MAX_DEPTH
    assert load_json(nested) == document and load_json(deep) is not None


def api_error(response, status):
    assert response.status_code == status, response.content
    return response.json()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    ["/api/v1/public/factories?q=a%00b", "/api/v1/public/factories/a%00b", "/api/v1/public/statistics/years?x%00=1"],
)
def test_a_nul_in_an_anonymous_query_or_path_is_a_400_in_the_error_shape(path):
    body = api_error(APIClient().get(path), 400)
    assert body == {"error": "unstorable_input", "message": NUL_OR_SURROGATE, "details": {}}


@pytest.mark.django_db
def test_a_nul_in_a_pages_query_is_a_400_page_in_its_language(client):
    response = client.get("/km/factories/?q=a%00b")
    assert response.status_code == 400 and '<html lang="km">' in response.text


@pytest.mark.django_db
def test_a_deep_json_body_on_the_anonymous_token_endpoint_is_a_400(db):
    body = b'{"email": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    answer = api_error(APIClient().post("/api/v1/auth/token/", body, content_type="application/json"), 400)
    assert answer["error"] == "malformed_json"


@pytest.mark.django_db
@pytest.mark.parametrize("note", ["before\u0000after", "\ud800"])
def test_a_note_that_cannot_be_stored_changes_nothing_from_the_capture_screen_or_the_api(started, team, note):
    tablet = APIClient()
    tablet.force_login(team.monitor)
    item = {"client_uuid": str(uuid.uuid4()), "question": "CL.1.1", "answer": "compliant", "note": note}
    body = json.dumps({"findings": [item]}).encode()  # json.dumps writes \u0000 and \ud800 as escapes
    batch = tablet.post(f"/api/v1/capture/assessments/{started.ref}/findings/", body, content_type="application/json")
    assert api_error(batch, 400)["message"] == NUL_OR_SURROGATE

    single = tablet.put(
        f"/api/v1/assessments/{started.ref}/findings/CL.1.1/",
        json.dumps({"answer": "compliant", "note": note}),
        content_type="application/json",
    )
    assert api_error(single, 400)["message"] == NUL_OR_SURROGATE
    assert not Finding.objects.filter(assessment=started).exists()


@pytest.mark.django_db
def test_a_nul_in_an_idempotency_key_or_a_form_field_is_a_400(started, team, client):
    tablet = APIClient()
    tablet.force_login(team.monitor)
    keyed = tablet.post(
        f"/api/v1/capture/assessments/{started.ref}/findings/", {"findings": []}, format="json",
        HTTP_IDEMPOTENCY_KEY="key\x00",
    )  # fmt: skip
    assert api_error(keyed, 400)["error"] == "unstorable_input"
    client.force_login(team.head)
    form = client.post("/en/factories/", urlencode({"q": "x\x00"}), content_type="application/x-www-form-urlencoded")
    assert form.status_code == 400
