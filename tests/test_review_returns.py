"""Returning with a comment on single findings, and the next review showing what changed since."""

import pytest

from ims.assessments.models import Answer, Status, Transition
from ims.assessments.workflow import save_finding, transition
from tests.factories import fill_findings

EXITS, WAGES = "OS.8.7", "CO.1.1"


@pytest.fixture
def submitted(assessment, team):
    transition(assessment, "start", team.monitor)
    fill_findings(assessment, team.monitor, {EXITS: ("Rear exit padlocked", "en"), WAGES: ("Wages late", "en")})
    return transition(assessment, "submit", team.monitor)


def review_url(assessment):
    return f"/en/reports/{assessment.ref}/review/"


@pytest.mark.django_db
def test_the_head_returns_with_a_comment_on_one_finding_and_the_monitors_read_it(client, team, submitted):
    client.force_login(team.head)
    page = client.get(review_url(submitted)).text
    assert f'name="finding-comment-{EXITS}" form="return-form"' in page
    answer = client.post(review_url(submitted), {"action": "return", "comment": "Check the exits again",
                                                 f"finding-comment-{EXITS}": "Which floor?",
                                                 f"finding-comment-{WAGES}": "  "})  # fmt: skip
    assert answer.status_code == 302
    returned = Transition.objects.filter(assessment=submitted, action="return").get()
    assert returned.finding_comments == {EXITS: "Which floor?"}  # an empty comment is not kept

    client.force_login(team.monitor)
    detail = client.get(f"/en/assessments/{submitted.ref}/").text
    assert f'<strong>{EXITS}</strong>: <span class="comment-text">Which floor?</span>' in detail


@pytest.mark.django_db
def test_a_comment_on_a_finding_that_does_not_exist_is_refused_and_nothing_changes(client, team, submitted):
    client.force_login(team.head)
    answer = client.post(review_url(submitted), {"action": "return", "comment": "Again",
                                                 "finding-comment-XX.9.9": "?"})  # fmt: skip
    assert answer.status_code == 400 and "No finding XX.9.9 to comment on." in answer.text
    assert submitted.__class__.objects.get(pk=submitted.pk).status == Status.SUBMITTED


@pytest.mark.django_db
def test_the_next_review_shows_the_findings_changed_since_the_return(client, team, submitted):
    transition(submitted, "return", team.head, "Check the exits again", finding_comments={EXITS: "Which floor?"})
    exits = submitted.findings.get(question__code=EXITS)
    save_finding(submitted, question_code=EXITS, answer=Answer.NON_COMPLIANT, actor=team.monitor,
                 note="Second-floor exit padlocked", expected_version=exits.row_version)  # fmt: skip
    transition(submitted, "submit", team.monitor)
    client.force_login(team.head)
    response = client.get(review_url(submitted))
    changes = response.context["changes"]
    assert [row.code for row in changes] == [EXITS]  # the wage finding was left as it was
    assert changes[0].before[2] == "Rear exit padlocked" and changes[0].now[2] == "Second-floor exit padlocked"
    assert changes[0].comment == "Which floor?"
    assert "Changed since you returned it" in response.text
