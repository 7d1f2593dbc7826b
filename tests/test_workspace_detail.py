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


@pytest.mark.django_db
def test_the_capture_screen_shows_the_last_visits_answer_and_narrows_to_unanswered_questions(
    client, team, content, published_report
):
    from datetime import date

    from ims.assessments.workflow import plan_assessment, save_finding, transition

    follow_up = plan_assessment(factory=team.factory, version=content, actor=team.head, visit_start=date(2027, 5, 3),
                                visit_end=date(2027, 5, 3), monitors=[team.monitor2])  # fmt: skip
    transition(follow_up, "start", team.monitor2)
    save_finding(follow_up, question_code="OS.8.1", answer="compliant", actor=team.monitor2)
    earlier = published_report.findings.get(question__code="OS.8.7")  # non-compliant, with a note
    client.force_login(team.monitor2)

    page = client.get(f"/en/assessments/{follow_up.ref}/capture/OS/?plain=1").text
    card = page[page.index('id="q-OS.8.7"') :]
    card = card[: card.index("</article>")]
    assert f"Last visit ({published_report.ref}): Non-compliant" in card and earlier.note in card
    assert 'href="?plain=1#q-OS.1.1"' in page  # the next unanswered question: the cluster's first

    narrowed = client.get(f"/en/assessments/{follow_up.ref}/capture/OS/?plain=1&show=unanswered").text
    assert 'id="q-OS.8.1"' not in narrowed and 'id="q-OS.8.7"' in narrowed
