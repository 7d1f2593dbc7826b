"""The web pages of review, published reports, factory responses and buyer access."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from ims import policy
from ims.accounts.models import Organisation, Role
from ims.assessments.models import Answer, Assessment, Finding, ReportRevision, Status, Transition
from ims.assessments.workflow import plan_assessment, save_finding, transition
from ims.grants.models import AccessGrant
from ims.reports.pages import public_issue_history
from ims.responses.grants import grant_access, revoke_access
from ims.responses.models import ActionPlanItem, Objection, ProgressNote
from ims.responses.services import add_action, object_to_finding, rule_on_objection
from tests.clients import url
from tests.factories import EXIT_NOTE, WAGE_NOTE, fill_findings, finding

LANGUAGES = ("en", "km", "zh-hans")
NONCOMPLIANT = {"OS.8.7": (EXIT_NOTE, "km"), "CO.1.1": (WAGE_NOTE, "en")}


def submit(assessment, team, noncompliant=NONCOMPLIANT):
    transition(assessment, "start", team.monitor)
    fill_findings(assessment, team.monitor, noncompliant)
    return transition(assessment, "submit", team.monitor)


@pytest.fixture
def published(assessment, team):
    Assessment.objects.filter(pk=assessment.pk).update(workers_total=1200, workers_female=1010)
    submit(assessment, team)
    return transition(assessment, "approve", team.head)


def login_url(next_url):
    return f"{url('accounts:login')}?next={next_url}"


def revision_url(assessment, number=1, language="en"):
    return url("reports:revision", assessment.ref, number, language=language)


def as_user(client, user):
    client.force_login(user)
    return client


def make_buyer(make_user, name):
    organisation = Organisation.objects.create(name=name, kind=Organisation.Kind.BUYER)
    return make_user(f"viewer@{name.lower().replace(' ', '-')}.example", Role.BUYER_VIEWER, organisation)


# Pages in each language


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_each_page_renders_in_each_language_for_its_role(client, published, team, language):
    item = add_action(finding(published, "OS.8.7"), team.manager, "Remove padlocks", "Mr Dara", date(2026, 12, 1))
    grant_access(team.factory, team.buyer_org, team.manager)
    wage = finding(published, "CO.1.1")
    exit_question = finding(published, "OS.8.7").question
    pages = {
        team.head: [
            url("reports:index", language=language),
            url("reports:review", published.ref, language=language),
            url("reports:objections", language=language),
            revision_url(published, language=language),
        ],
        team.manager: [
            url("reports:index", language=language),
            revision_url(published, language=language),
            url("responses:object", wage.pk, language=language),
            url("responses:add_action", wage.pk, language=language),
            url("responses:update_action", item.pk, language=language),
            url("grants:grants", language=language),
        ],
        team.buyer: [url("reports:index", language=language), revision_url(published, language=language)],
    }
    for user, urls in pages.items():
        as_user(client, user)
        for page in urls:
            response = client.get(page)
            assert response.status_code == 200, (user, page)
            assert f'<html lang="{language}">' in response.text, page
    # The report shows the frozen question in the page's language and the note in its own.
    as_user(client, team.buyer)
    report = client.get(revision_url(published, language=language)).text
    assert exit_question.text_in("text", language) in report
    assert exit_question.text_in("legal_basis", language) in report
    assert f'lang="km">{EXIT_NOTE}' in report
    assert f'lang="en">{WAGE_NOTE}' in report


# The detailed report


@pytest.mark.django_db
def test_the_report_shows_profile_visit_compliance_and_each_non_compliance(client, published, team):
    response = as_user(client, team.manager).get(revision_url(published))
    page = response.text
    for name in ("Team Factory", "រោងចក្រក្រុម", "团队工厂"):
        assert name in page
    assert 'lang="km">រោងចក្រក្រុម' in page and 'lang="zh-hans">团队工厂' in page
    assert "Phnom Penh" in page
    assert "1200" in page and "1010" in page  # the workforce at the visit
    assert team.monitor.full_name in page and team.monitor2.full_name in page
    noncompliances = response.context["report"]["noncompliances"]
    assert [row.question.code for row in noncompliances] == ["CO.1.1", "OS.8.7"]
    exits = noncompliances[1]
    assert exits.question.suggestion_en in page
    assert 'href="/en/good-practice/emergency-plans/"' in page
    clusters = {row.cluster.code: row for row in response.context["report"]["clusters"]}
    assert clusters["OS"].noncompliant_points == 1
    assert clusters["OS"].counts["non_compliant"] == 1
    assert clusters["CL"].noncompliant_points == 0
    assert page.count('id="finding-') == 2
    # The manager may respond on the current revision: the three forms are offered.
    for name, pk in (("responses:object", exits.finding_id), ("responses:add_action", exits.finding_id)):
        assert f'action="{url(name, pk)}"' in page


@pytest.mark.django_db
def test_a_report_is_read_from_its_snapshot_not_from_the_live_findings(client, published, team):
    Finding.objects.filter(assessment=published, question__code="OS.8.7").update(answer=Answer.COMPLIANT, note="x")
    page = as_user(client, team.head).get(revision_url(published))
    assert 'id="finding-OS.8.7"' in page.text
    assert EXIT_NOTE in page.text


@pytest.mark.django_db
def test_an_unknown_revision_or_assessment_is_404(client, published, team):
    as_user(client, team.head)
    assert client.get(revision_url(published, 2)).status_code == 404
    assert client.get(url("reports:revision", "NO-SUCH-REF", 1)).status_code == 404
    assert client.get(url("reports:review", "NO-SUCH-REF")).status_code == 404


# The head's review


@pytest.mark.django_db
def test_the_head_returns_with_a_comment_then_approves_through_the_pages(client, assessment, team):
    submit(assessment, team)
    as_user(client, team.head)
    queue = client.get(url("reports:index"))
    assert queue.context["staff"]["awaiting_review"].get() == assessment
    assert f'href="{url("reports:review", assessment.ref)}"' in queue.text
    review_url = url("reports:review", assessment.ref)
    page = client.get(review_url).text
    assert page.index('id="finding-CO.1.1"') < page.index('id="finding-OS.8.7"') < page.index("All other findings")
    assert 'value="return"' in page and 'value="approve"' in page and 'value="reopen"' not in page

    refused = client.post(review_url, {"action": "return", "comment": "  "})
    assert refused.status_code == 400
    assert "a comment is required" in refused.text
    assert Assessment.objects.get(pk=assessment.pk).status == Status.SUBMITTED

    returned = client.post(review_url, {"action": "return", "comment": "Photograph the locked exit"})
    assert returned.status_code == 302
    assert Assessment.objects.get(pk=assessment.pk).status == Status.RETURNED
    history = client.get(review_url)
    assert "Photograph the locked exit" in history.text
    assert 'value="approve"' not in history.text  # nothing to approve while the monitors work

    too_early = client.post(review_url, {"action": "approve"})
    assert too_early.status_code == 409
    assert "cannot be approved" in too_early.text

    transition(assessment, "submit", team.monitor)
    approved = client.post(review_url, {"action": "approve"}, follow=True)
    assert approved.status_code == 200
    assert "revision 1 of the report is published" in approved.text
    assert Assessment.objects.get(pk=assessment.pk).status == Status.APPROVED
    assert ReportRevision.objects.filter(assessment=assessment).count() == 1
    assert list(Transition.objects.filter(assessment=assessment).values_list("action", flat=True)) == [
        "start", "submit", "return", "submit", "approve",
    ]  # fmt: skip
    assert 'value="reopen"' in approved.text
    assert client.get(url("reports:index")).context["staff"]["approved"].page.object_list[0] == assessment


@pytest.mark.django_db
def test_reopening_for_correction_publishes_a_new_revision_with_its_reason(client, published, team):
    as_user(client, team.head)
    review_url = url("reports:review", published.ref)
    assert client.post(review_url, {"action": "reopen", "comment": ""}).status_code == 400
    reason = "The exit on floor 2 was unlocked; the lock belonged to a storeroom"
    assert client.post(review_url, {"action": "reopen", "comment": reason}).status_code == 302
    exit_finding = finding(published, "OS.8.7")
    save_finding(published, question_code="OS.8.7", answer=Answer.COMPLIANT, actor=team.head,
                 expected_version=exit_finding.row_version)  # fmt: skip
    assert client.post(review_url, {"action": "approve"}).status_code == 302

    second = client.get(revision_url(published, 2))
    assert second.status_code == 200
    assert f"corrected because {reason}" in second.text
    assert 'id="finding-OS.8.7"' not in second.text
    first = client.get(revision_url(published, 1))
    assert first.status_code == 200
    assert 'id="finding-OS.8.7"' in first.text  # the old revision reads as it was approved
    assert "kept as it was approved" in first.text


@pytest.mark.django_db
def test_an_unknown_review_action_is_refused(client, published, team):
    response = as_user(client, team.head).post(url("reports:review", published.ref), {"action": "delete"})
    assert response.status_code == 400
    assert Assessment.objects.get(pk=published.pk).status == Status.APPROVED


# Objections


@pytest.mark.django_db
def test_the_factory_objects_the_head_upholds_then_revises(client, published, team):
    wage = finding(published, "CO.1.1")
    as_user(client, team.manager)
    objection_text = "计件工人的工资已补足到最低工资"
    sent = client.post(url("responses:object", wage.pk), {"text": objection_text, "language": "zh-hans"})
    assert sent.status_code == 302
    assert sent["Location"] == f"{revision_url(published)}#finding-CO.1.1"
    objection = Objection.objects.get()
    assert (objection.finding, objection.language, objection.author) == (wage, "zh-hans", team.manager)
    again = client.post(url("responses:object", wage.pk), {"text": "Again", "language": "en"})
    assert again.status_code == 409
    assert "already waiting for a ruling" in again.text
    report = client.get(revision_url(published)).text
    assert f'<blockquote lang="zh-hans">{objection_text}</blockquote>' in report
    assert "waiting for the programme head" in report

    as_user(client, team.head)
    queue = client.get(url("reports:objections"))
    assert f'<blockquote lang="zh-hans">{objection_text}</blockquote>' in queue.text
    assert f'lang="en">{WAGE_NOTE}' in queue.text
    upheld = client.post(
        url("reports:objections"), {"objection": objection.pk, "decision": "upheld", "ruling": "Payroll shows 150 USD"}
    )
    assert upheld.status_code == 302
    objection.refresh_from_db()
    assert (objection.status, objection.ruled_by) == (Objection.Status.UPHELD, team.head)
    assert published.revisions.count() == 1

    as_user(client, team.manager)
    assert "Payroll shows 150 USD" in client.get(revision_url(published)).text
    client.post(url("responses:object", wage.pk), {"text": "The back pay slips are attached", "language": "en"})
    second = Objection.objects.get(status=Objection.Status.OPEN)

    as_user(client, team.head)
    unchanged = client.post(
        url("reports:objections"),
        {"objection": second.pk, "decision": "revised", "ruling": "Accepted", "answer": "", "note": WAGE_NOTE},
    )
    assert unchanged.status_code == 400
    assert "must change the finding" in unchanged.text
    revised = client.post(
        url("reports:objections"),
        {
            "objection": second.pk,
            "decision": "revised",
            "ruling": "Back pay verified",
            "answer": "compliant",
            "note": "Back pay verified on 2026-11-20.",
        },
    )
    assert revised.status_code == 302
    assert published.revisions.count() == 2

    as_user(client, team.manager)
    new = client.get(revision_url(published, 2)).text
    assert "corrected because Back pay verified" in new
    assert 'id="finding-CO.1.1"' not in new  # no longer a non-compliance
    assert "Other objections" in new and "The back pay slips are attached" in new
    old = client.get(revision_url(published, 1))
    assert old.status_code == 200
    assert f'lang="en">{WAGE_NOTE}' in old.text


@pytest.mark.django_db
def test_an_invalid_objection_form_is_answered_400_and_stores_nothing(client, published, team):
    wage = finding(published, "CO.1.1")
    response = as_user(client, team.manager).post(url("responses:object", wage.pk), {"text": "", "language": "fr"})
    assert response.status_code == 400
    assert not Objection.objects.exists()


# Action plans


@pytest.mark.django_db
def test_action_plan_add_update_and_a_stale_update_is_a_409(client, published, team):
    exits = finding(published, "OS.8.7")
    as_user(client, team.manager)
    added = client.post(
        url("responses:add_action", exits.pk),
        {"action": "Remove every padlock from exits", "owner": "Mr Dara", "due_date": "2026-12-01"},
    )
    assert added.status_code == 302
    item = ActionPlanItem.objects.get()
    assert (item.finding, item.owner, item.due_date) == (exits, "Mr Dara", date(2026, 12, 1))
    compliant = finding(published, "CL.1.1")
    refused = client.post(
        url("responses:add_action", compliant.pk), {"action": "Nothing", "owner": "HR", "due_date": "2026-12-01"}
    )
    assert refused.status_code == 400
    assert "non-compliant findings only" in refused.text

    update_url = url("responses:update_action", item.pk)
    form = client.get(update_url)
    assert 'name="row_version" value="1"' in form.text
    updated = client.post(update_url, {"status": "in_progress", "note": "Keys removed", "row_version": 1})
    assert updated.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.row_version, item.notes.get().text) == ("in_progress", 2, "Keys removed")
    report = client.get(revision_url(published)).text
    assert "Remove every padlock from exits" in report and "Keys removed" in report

    stale = client.post(update_url, {"status": "done", "note": "All done", "row_version": 1})
    assert stale.status_code == 409
    assert "reload" in stale.text.lower()
    assert f'href="{update_url}"' in stale.text  # the reload link
    item.refresh_from_db()
    assert (item.status, item.row_version) == ("in_progress", 2)
    assert ProgressNote.objects.count() == 1

    missing_version = client.post(update_url, {"status": "done"})
    assert missing_version.status_code == 400


# Buyer access


@pytest.mark.django_db
def test_a_grant_lets_the_buyer_read_and_a_revocation_stops_it_at_once(client, published, team):
    report = revision_url(published)
    assert as_user(client, team.buyer).get(report).status_code == 404

    as_user(client, team.manager)
    granted = client.post(url("grants:grants"), {"factory": team.factory.ref, "buyer": team.buyer_org.pk})
    assert granted.status_code == 302
    grant = AccessGrant.objects.get()
    assert (grant.buyer, grant.granted_by, grant.expires_at) == (team.buyer_org, team.manager, None)
    assert "Active" in client.get(url("grants:grants")).text

    as_user(client, team.buyer)
    assert client.get(report).status_code == 200
    index = client.get(url("reports:index"))
    assert f'href="{report}"' in index.text
    assert "until revoked" in index.text

    as_user(client, team.manager)
    revoked = client.post(url("grants:revoke", grant.pk))
    assert revoked.status_code == 302
    assert "Revoked" in client.get(url("grants:grants")).text
    assert client.post(url("grants:revoke", grant.pk)).status_code == 409  # already revoked

    as_user(client, team.buyer)
    assert client.get(report).status_code == 404
    assert f'href="{report}"' not in client.get(url("reports:index")).text


@pytest.mark.django_db
def test_an_expired_grant_is_refused(client, published, team):
    as_user(client, team.manager)
    tomorrow = timezone.localdate() + timedelta(days=1)
    client.post(url("grants:grants"), {"factory": team.factory.ref, "buyer": team.buyer_org.pk,
                                       "expires_on": tomorrow.isoformat()})  # fmt: skip
    grant = AccessGrant.objects.get()
    assert timezone.localtime(grant.expires_at).date() == tomorrow + timedelta(days=1)  # through the whole day
    assert as_user(client, team.buyer).get(revision_url(published)).status_code == 200

    AccessGrant.objects.filter(pk=grant.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(revision_url(published)).status_code == 404
    assert "Expired" in as_user(client, team.manager).get(url("grants:grants")).text


@pytest.mark.django_db
def test_a_grant_expiring_in_the_past_is_refused_with_the_reason(client, team):
    yesterday = timezone.localdate() - timedelta(days=2)
    response = as_user(client, team.manager).post(
        url("grants:grants"),
        {"factory": team.factory.ref, "buyer": team.buyer_org.pk, "expires_on": yesterday.isoformat()},
    )
    assert response.status_code == 400
    assert "The expiry must be in the future." in response.text
    assert not AccessGrant.objects.exists()


@pytest.mark.django_db
def test_a_manager_cannot_grant_for_another_factory(client, team):
    response = as_user(client, team.other_manager).post(
        url("grants:grants"), {"factory": team.factory.ref, "buyer": team.buyer_org.pk}
    )
    assert response.status_code == 404  # a factory this manager does not manage is not theirs to see
    assert not AccessGrant.objects.exists()


# Authorization matrix


@pytest.fixture
def world(published, team, make_user):
    """The published report with an action item and an objection, a buyer with a live grant,
    and buyers whose grants were revoked or have expired."""
    item = add_action(finding(published, "OS.8.7"), team.manager, "Remove padlocks", "Mr Dara", date(2026, 12, 1))
    objection = object_to_finding(finding(published, "CO.1.1"), team.manager, "Paid in full", "en")
    grant_access(team.factory, team.buyer_org, team.manager)
    revoked = make_buyer(make_user, "Brand Revoked")
    revoke_access(grant_access(team.factory, policy.buyer_organisations(revoked).get(), team.manager), team.manager)
    expired = make_buyer(make_user, "Brand Expired")
    grant = grant_access(team.factory, policy.buyer_organisations(expired).get(), team.manager)
    AccessGrant.objects.filter(pk=grant.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    return SimpleNamespace(
        assessment=published,
        item=item,
        objection=objection,
        live_grant=AccessGrant.objects.get(buyer=team.buyer_org),
        users={
            "anonymous": None,
            "other factory's manager": team.other_manager,
            "buyer without grant": team.other_buyer,
            "buyer with revoked grant": revoked,
            "buyer with expired grant": expired,
            "partner analyst": team.partner,
        },
    )


PRIVATE_PAGES = {
    "report revision": lambda world: revision_url(world.assessment),
    "review": lambda world: url("reports:review", world.assessment.ref),
    "objections queue": lambda world: url("reports:objections"),
    "object to a finding": lambda world: url("responses:object", world.item.finding_id),
    "add an action": lambda world: url("responses:add_action", world.item.finding_id),
    "update an action": lambda world: url("responses:update_action", world.item.pk),
    "buyer access": lambda world: url("grants:grants"),
    "reports index": lambda world: url("reports:index"),
}
INTRUDERS = (
    "anonymous",
    "other factory's manager",
    "buyer without grant",
    "buyer with revoked grant",
    "buyer with expired grant",
    "partner analyst",
)
# Pages listing what the user's own role covers: they open for these users but show nothing of the factory.
OWN_SCOPE = {
    ("buyer access", "other factory's manager"),
    *(("reports index", intruder) for intruder in INTRUDERS if intruder not in ("anonymous", "partner analyst")),
}


@pytest.mark.django_db
@pytest.mark.parametrize("intruder", INTRUDERS)
@pytest.mark.parametrize("page", PRIVATE_PAGES)
def test_authorization_matrix_refuses_every_intruder(client, world, page, intruder):
    user = world.users[intruder]
    if user:
        client.force_login(user)
    address = PRIVATE_PAGES[page](world)
    response = client.get(address)
    if user is None:
        assert response.status_code == 302
        assert response["Location"] == login_url(address)
    elif (page, intruder) in OWN_SCOPE:
        assert response.status_code == 200
        assert "Team Factory" not in response.text
        assert world.assessment.ref not in response.text
        assert url("grants:revoke", world.live_grant.pk) not in response.text
    else:
        assert response.status_code in (403, 404), response.status_code


POST_ACTIONS = {
    "approve": lambda world: (url("reports:review", world.assessment.ref), {"action": "reopen", "comment": "x"}),
    "rule": lambda world: (
        url("reports:objections"),
        {"objection": world.objection.pk, "decision": "upheld", "ruling": "No"},
    ),
    "object": lambda world: (url("responses:object", world.item.finding_id), {"text": "No", "language": "en"}),
    "add action": lambda world: (
        url("responses:add_action", world.item.finding_id),
        {"action": "x", "owner": "y", "due_date": "2026-12-01"},
    ),
    "update action": lambda world: (
        url("responses:update_action", world.item.pk),
        {"status": "done", "note": "x", "row_version": world.item.row_version},
    ),
    "grant": lambda world: (url("grants:grants"), {"factory": "TEAM-1", "buyer": world.live_grant.buyer_id}),
    "revoke": lambda world: (url("grants:revoke", world.live_grant.pk), {}),
}


def state_of_the_world():
    return (
        list(Assessment.objects.values_list("status", "row_version")),
        ReportRevision.objects.count(),
        list(Objection.objects.values_list("status", flat=True)),
        list(ActionPlanItem.objects.values_list("status", "row_version")),
        ProgressNote.objects.count(),
        list(AccessGrant.objects.values_list("buyer_id", "expires_at", "revoked_at")),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("intruder", INTRUDERS)
@pytest.mark.parametrize("action", POST_ACTIONS)
def test_authorization_matrix_refuses_every_change_by_an_intruder(client, world, action, intruder):
    user = world.users[intruder]
    if user:
        client.force_login(user)
    address, data = POST_ACTIONS[action](world)
    before = state_of_the_world()
    response = client.post(address, data)
    if user is None:
        assert response.status_code == 302
        assert response["Location"] == login_url(address)
    else:  # refused (403) or not even shown to exist (404); never a form error that merely looked at the data
        assert response.status_code in (403, 404), response.status_code
    assert state_of_the_world() == before


@pytest.mark.django_db
def test_permitted_roles_open_their_pages(client, world, team):
    allowed = {
        team.head: ["report revision", "review", "objections queue", "reports index"],
        team.monitor: ["report revision", "reports index"],
        team.manager: [
            "report revision",
            "object to a finding",
            "add an action",
            "update an action",
            "buyer access",
            "reports index",
        ],
        team.buyer: ["report revision", "reports index"],
    }
    for user, pages in allowed.items():
        client.force_login(user)
        for page in pages:
            assert client.get(PRIVATE_PAGES[page](world)).status_code == 200, (user, page)
    client.force_login(team.buyer)
    assert world.assessment.ref in client.get(url("reports:index")).text


@pytest.mark.django_db
def test_readers_who_may_not_change_a_visible_report_get_403(client, world, team):
    """A buyer with a grant and a monitor see the report, but neither responds nor reviews."""
    for user in (team.buyer, team.monitor):
        client.force_login(user)
        for page in ("object to a finding", "add an action", "update an action", "objections queue"):
            assert client.get(PRIVATE_PAGES[page](world)).status_code == 403, (user, page)
        page = client.get(revision_url(world.assessment)).text
        assert url("responses:object", world.item.finding_id) not in page
    assert client.get(url("reports:review", world.assessment.ref)).status_code == 403
    client.force_login(team.buyer)
    assert client.get(url("grants:grants")).status_code == 403
    assert client.get(url("reports:review", world.assessment.ref)).status_code == 403


@pytest.mark.django_db
def test_a_manager_sees_no_response_forms_on_an_old_revision(client, world, team):
    transition(world.assessment, "reopen", team.head, comment="Recount the workforce")
    transition(world.assessment, "approve", team.head)
    client.force_login(team.manager)
    old = client.get(revision_url(world.assessment, 1)).text
    assert url("responses:add_action", world.item.finding_id) not in old
    current = client.get(revision_url(world.assessment, 2)).text
    assert url("responses:add_action", world.item.finding_id) in current


# The public record


@pytest.mark.django_db
def test_public_issue_history_lists_the_21_issues_of_published_assessments_only(published, team, content):
    later = plan_assessment(factory=team.factory, version=content, actor=team.head, visit_start=date(2027, 5, 3),
                            visit_end=date(2027, 5, 4), monitors=[team.monitor])  # fmt: skip
    submit(later, team, noncompliant={"CO.1.1": ("Still below the minimum", "en")})
    draft = plan_assessment(factory=team.factory, version=content, actor=team.head, visit_start=date(2027, 9, 1),
                            visit_end=date(2027, 9, 1), monitors=[team.monitor])  # fmt: skip
    assert [visit.ref for visit in public_issue_history(team.factory).visits] == [published.ref]

    transition(later, "approve", team.head)
    history = public_issue_history(team.factory)
    assert [visit.ref for visit in history.visits] == [later.ref, published.ref]
    assert draft.ref not in {visit.ref for visit in history.visits}
    assert len(history.issues) == 21
    by_code = {issue.question.code: issue.statuses for issue in history.issues}
    assert by_code["OS.8.7"] == [Answer.COMPLIANT, Answer.NON_COMPLIANT]
    assert by_code["CO.1.1"] == [Answer.NON_COMPLIANT, Answer.NON_COMPLIANT]
    assert "CL.1.1" not in by_code  # not a publicly reported issue

    html = render_to_string("reports/_public_issues.html", {"history": history})
    assert html.count('class="issue"') == 21
    assert "Still below the minimum" not in html and EXIT_NOTE not in html and WAGE_NOTE not in html
    assert html.count("badge-public") == 3  # the three non-compliances across both visits


@pytest.mark.django_db
def test_public_issue_history_follows_the_current_revision(published, team):
    wage = finding(published, "CO.1.1")
    objection = object_to_finding(wage, team.manager, "Paid", "en")
    rule_on_objection(objection, team.head, "revised", "Verified", answer=Answer.COMPLIANT)
    history = public_issue_history(team.factory)
    assert history.visits[0].revision_number == 2
    assert {issue.question.code: issue.statuses for issue in history.issues}["CO.1.1"] == [Answer.COMPLIANT]


@pytest.mark.django_db
def test_public_issue_history_of_a_factory_never_assessed_is_empty(team):
    history = public_issue_history(team.factory)
    assert (history.visits, history.issues) == ([], [])
    assert "No assessment of this factory has been published yet." in render_to_string(
        "reports/_public_issues.html", {"history": history}
    )
