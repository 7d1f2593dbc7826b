"""The assessment's overview offers submitting only when it can succeed, and warns of a visit without interviews."""

import pytest

from ims.assessments.models import Assessment
from tests.factories import answer_all

SUBMIT_BUTTON = '<button type="submit" class="action-submit">Submit for review</button>'


@pytest.mark.django_db
def test_submit_for_review_appears_once_every_question_has_an_answer(client, started, team):
    client.force_login(team.monitor2)
    asked = started.checklist_version.questions.count()
    page = client.get(f"/en/assessments/{started.ref}/").text
    assert SUBMIT_BUTTON not in page
    assert f"{asked} questions have none yet" in page

    answer_all(started, team.monitor2)
    page = client.get(f"/en/assessments/{started.ref}/").text
    assert SUBMIT_BUTTON in page and "have none yet" not in page


@pytest.mark.django_db
def test_a_visit_without_worker_interviews_is_pointed_out_until_they_are_given(client, started, team):
    client.force_login(team.monitor2)
    warning = "No worker interview is recorded for this visit"
    assert warning in client.get(f"/en/assessments/{started.ref}/").text
    Assessment.objects.filter(pk=started.pk).update(interviews_workers=12)
    assert warning not in client.get(f"/en/assessments/{started.ref}/").text
