"""The published report snapshot: versioned, and readable whether it was stored before the version key or after."""

import pytest

from ims.assessments import snapshot
from ims.assessments.models import ReportRevision
from tests.clients import url
from tests.factories import publish

NONCOMPLIANT = ("OS.8.7",)


@pytest.fixture
def published(assessment, team):
    return publish(assessment, team, noncompliant=NONCOMPLIANT)


@pytest.mark.django_db
def test_approval_stores_the_snapshot_with_its_schema_version(published):
    stored = ReportRevision.objects.get(assessment=published).snapshot
    assert stored["schema_version"] == 1
    assert stored["compliance_points"]["OS.8"] == "non_compliant"


@pytest.mark.django_db
def test_a_snapshot_stored_before_the_version_key_reads_as_version_1_and_its_report_shows(published, team, client):
    revision = ReportRevision.objects.get(assessment=published)
    without_key = {key: value for key, value in revision.snapshot.items() if key != "schema_version"}
    ReportRevision.objects.filter(pk=revision.pk).update(snapshot=without_key)  # as stored before the key existed
    revision.refresh_from_db()
    assert "schema_version" not in revision.snapshot

    read = snapshot.of_revision(revision)
    assert [row["question"] for row in read["findings"] if row["answer"] == "non_compliant"] == list(NONCOMPLIANT)
    client.force_login(team.head)
    page = client.get(url("reports:revision", published.ref, 1))
    assert page.status_code == 200
    assert "OS.8.7" in page.text


def test_a_snapshot_of_a_schema_version_imss_does_not_know_is_refused():
    with pytest.raises(snapshot.UnknownSnapshotVersion, match="version 7"):
        snapshot.read({"schema_version": 7, "findings": []})


def test_a_compliance_point_is_as_bad_as_its_worst_question():
    rows = [
        {"compliance_point": "CL.1", "answer": "compliant"},
        {"compliance_point": "CL.1", "answer": "non_compliant"},
        {"compliance_point": "CL.2", "answer": "not_applicable"},
        {"compliance_point": "CL.3", "answer": "not_assessed"},
        {"compliance_point": "CL.3", "answer": "not_applicable"},
    ]
    assert snapshot.point_states(rows) == {"CL.1": "non_compliant", "CL.2": "not_applicable", "CL.3": "not_assessed"}
