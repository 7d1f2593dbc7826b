"""The OpenAPI description and its Swagger UI, served without any CDN."""

import re

import pytest
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from tests.clients import API

PATHS = {
    "/public/statistics/noncompliance": {"get"},
    "/public/statistics/years": {"get"},
    "/public/statistics/employment": {"get"},
    "/public/factories": {"get"},
    "/public/factories/{ref}": {"get"},
    "/public/downloads/{dataset}.{fmt}": {"get"},
    "/public/checklists/{version}/": {"get"},
    "/capture/assessments/{ref}/package/": {"get"},
    "/capture/assessments/{ref}/findings/": {"post"},
    "/capture/assessments/{ref}/findings/{client_uuid}/": {"put"},
    "/capture/assessments/{ref}/uploads/": {"post"},
    "/capture/assessments/{ref}/sync-check/": {"post"},
    "/capture/assessments/{ref}/submissions/": {"post"},
    "/capture/uploads/{client_uuid}/": {"get", "put"},
    "/capture/conflicts/{id}/resolve/": {"post"},
    "/capture/checklists/{code}/xlsform/": {"get"},
    "/capture/checklists/{code}/content.{edition}.json": {"get"},
    "/auth/token/": {"post"},
    "/assessments/": {"get", "post"},
    "/assessments/{ref}/": {"get"},
    "/assessments/{ref}/transitions/": {"post"},
    "/assessments/{ref}/findings/": {"get"},
    "/assessments/{ref}/findings/{question_code}/": {"put"},
    "/assessments/{ref}/findings/{question_code}/evidence/": {"post"},
    "/assessments/{ref}/revisions/": {"get"},
    "/assessments/{ref}/revisions/{number}/": {"get"},
    "/findings/{finding_id}/objections/": {"post"},
    "/findings/{finding_id}/actions/": {"post"},
    "/objections/": {"get"},
    "/objections/{id}/": {"get"},
    "/objections/{id}/ruling/": {"post"},
    "/actions/": {"get"},
    "/actions/{id}/": {"get", "patch"},
    "/access-grants/": {"get", "post"},
    "/access-grants/{id}/": {"get"},
    "/access-grants/{id}/revoke/": {"post"},
}


@pytest.mark.django_db
def test_the_schema_is_valid_openapi_listing_every_endpoint():
    answer = APIClient().get(f"{API}/schema/", {"format": "json"})
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/vnd.oai.openapi+json")
    schema = answer.json()
    validate_schema(schema)  # raises on anything that is not OpenAPI 3
    assert schema["openapi"].startswith("3.")
    listed = {path.removeprefix(API): set(operations) - {"parameters"} for path, operations in schema["paths"].items()}
    assert listed == PATHS
    put_finding = schema["paths"][f"{API}/assessments/{{ref}}/findings/{{question_code}}/"]["put"]
    assert {parameter["name"] for parameter in put_finding["parameters"]} >= {"Idempotency-Key", "ref", "question_code"}
    assert {"200", "409", "422"} <= set(put_finding["responses"])
    assert set(schema["components"]["securitySchemes"]) >= {"tokenAuth"}


@pytest.mark.django_db
def test_the_docs_page_loads_swagger_ui_from_our_own_static_files():
    answer = APIClient().get(f"{API}/docs/")
    assert answer.status_code == 200
    page = answer.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert len(assets) == 5
    script = f"{API}/docs/?script="  # Swagger UI's settings as a script of our own, not inline
    assert all(asset.startswith("/static/drf_spectacular_sidecar/") for asset in assets if asset != script)  # no CDN
    assert script in assets
    assert f"{API}/schema/" in APIClient().get(script).content.decode()
    bundle = APIClient().get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    assert bundle.status_code == 200
