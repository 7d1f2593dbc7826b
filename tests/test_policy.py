"""The authorization policy: its table covers every URL, its docs are the table, its rules hold as written,
and the menu follows it."""

import re
from datetime import timedelta
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from ims import policy
from ims.accounts.models import Membership, Organisation, Role, User
from ims.assessments.models import Assessment
from ims.grants.models import AccessGrant
from ims.policy.table import TABLE
from ims.site.menu import MENU
from tests.policy_matrix import (
    ALLOWED_STATUSES,
    SPECS,
    client_for,
    declared_actions,
    expected_allowed,
    url_patterns,
)
from tests.policy_world import PERSONAS, world_in_a_transaction

ROOT = Path(__file__).resolve().parent.parent


# --- the table covers every URL, and the docs are the table -------------------------------------------------


def test_every_url_pattern_declares_its_actions_and_the_generated_tests_cover_it():
    undeclared, unspecified = [], []
    for pattern in url_patterns():
        declared = declared_actions(pattern)
        if not declared:
            undeclared.append(pattern.route)
        elif pattern.namespace != "admin" and pattern.name not in SPECS:
            unspecified.append(pattern.name)
    assert not undeclared, f"URL patterns whose view declares no policy action: {undeclared}"
    assert not unspecified, f"URL patterns the generated tests do not cover (add them to SPECS): {unspecified}"


def test_every_declared_action_is_in_the_table():
    for pattern in url_patterns():
        for action in (declared_actions(pattern) or {}).values():
            if isinstance(action, str):
                assert action in TABLE, (pattern.route, action)


def test_the_documented_table_is_the_policy_table():
    output = StringIO()
    with translation.override("en"):
        call_command("policy_table", stdout=output)
    assert (ROOT / "docs" / "policy.md").read_text(encoding="utf-8") == output.getvalue(), (
        "docs/policy.md is out of date: run `manage.py policy_table > docs/policy.md`"
    )


def test_the_grant_rule_and_the_role_checks_live_only_in_the_policy():
    """Outside ims/policy nobody reads memberships' roles or a grant's dates to decide access."""
    patterns = {
        "a role check": r"\.has_role\(|is_programme_staff|memberships__role|\.roles\b",
        "a superuser check": r"\.is_superuser\b(?!\s*=)",
        "the grant in force": r"expires_at__(gt|gte|lt|lte)\b|\.expires_at\s*[<>]|\.active\(\)",
    }
    allowed = {
        # Creating accounts and the admin's fields, not deciding access:
        "ims/accounts/models.py": {"a superuser check"},
        "ims/accounts/admin.py": {"a superuser check"},
    }
    found = []
    for path in sorted((ROOT / "ims").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith("ims/policy/") or "/migrations/" in relative:
            continue
        text = path.read_text(encoding="utf-8")
        for what, pattern in patterns.items():
            if re.search(pattern, text) and what not in allowed.get(relative, set()):
                found.append(f"{relative}: {what}")
    assert not found, found


# --- the table says what the issue and the design say ----------------------------------------------------

PROGRAMME = {"head", "admin", "monitor_on_team", "monitor_off_team", "translator", "trainer", "advisor", "superuser"}
WORKSPACE = {"monitor_on_team", "head", "admin", "superuser"}
REPORT_READERS = PROGRAMME | {"manager", "buyer_granted"}
UNPUBLISHED = ("planned", "in_progress", "submitted", "returned")

# Written from issue 13 and docs/policy.md's summary by hand: who may, per action and object state.
ISSUE_RULES = [
    *[("workspace.read", state, WORKSPACE) for state in (*UNPUBLISHED, "approved", "correcting")],
    *[("evidence.read", (state, "in the working copy only"), WORKSPACE) for state in (*UNPUBLISHED, "correcting")],
    *[("evidence.read", (state, "in a published revision"), REPORT_READERS) for state in ("approved", "correcting")],
    *[("report.read", state, set()) for state in UNPUBLISHED],
    *[("report.read", state, REPORT_READERS) for state in ("approved", "correcting")],
    *[("objection.read", state, REPORT_READERS) for state in ("approved", "correcting")],
    ("objection.read_names", "approved", PROGRAMME | {"manager"}),
    *[(action, "approved", {"manager"}) for action in ("objection.file", "action.add", "action.update")],
    *[(action, "correcting", set()) for action in ("objection.file", "action.add", "action.update")],
    ("objection.rule", "approved", {"head", "superuser"}),
    ("objection.rule", "correcting", set()),
    ("note.translate", "approved", {"head", "admin", "monitor_on_team", "monitor_off_team", "translator", "superuser"}),
    ("note.translate", "correcting", set()),
    ("finding.edit", "in_progress", {"monitor_on_team"}),
    ("finding.edit", "correcting", {"monitor_on_team", "head", "superuser"}),
    *[("finding.edit", state, set()) for state in ("planned", "submitted", "approved")],
    ("assessment.approve", "submitted", {"head", "superuser"}),
    ("dashboard.programme", None, PROGRAMME | {"partner"}),
    ("dashboard.factory", None, REPORT_READERS),
    ("dashboard.factory_detail", None, PROGRAMME),
    ("training.record", None, {"head", "admin", "monitor_on_team", "monitor_off_team", "trainer", "advisor",
                               "superuser", "manager"}),
    ("advisory.read", None, PROGRAMME | {"manager"}),
    ("grant.manage", None, {"manager"}),
    ("audit.read", None, {"head", "admin", "superuser"}),
    # Issue 20: aggregates to programme staff and the factory's own; alerts to the head, never the factory
    ("voice.results", None, PROGRAMME | {"manager"}),
    ("voice.alerts", None, {"head", "superuser"}),
    ("voice.answer", None, set(PERSONAS)),
    ("readings.read", None, PROGRAMME | {"manager"}),
    ("planning.risk", None, {"head", "admin", "superuser"}),
    ("lowcompliance.manage", None, {"head", "superuser"}),
]  # fmt: skip


@pytest.mark.parametrize(("action", "state", "allowed"), ISSUE_RULES)
def test_the_table_gives_each_action_to_whom_the_issue_says(action, state, allowed):
    holders = {name for name, persona in PERSONAS.items() if expected_allowed(action, persona, state)}
    assert holders == allowed


# --- the rules as written ---------------------------------------------------------------------------------


@pytest.fixture
def people(db):
    programme = Organisation.objects.create(name="Programme", kind=Organisation.Kind.PROGRAMME)
    buyer = Organisation.objects.create(name="Brand", kind=Organisation.Kind.BUYER)

    def person(email, *roles, **fields):
        user = User.objects.create_user(email, "x-password-x", full_name=email, **fields)
        for role in roles:
            organisation = buyer if role == Role.BUYER_VIEWER else programme
            Membership.objects.create(user=user, organisation=organisation, role=role)
        return user

    return person, buyer


def test_a_superuser_holds_the_heads_and_administrators_roles_and_no_other(people):
    person, _buyer = people
    root = person("root@example.org", is_superuser=True, is_staff=True)
    assert policy.roles_of(root) == {Role.HEAD, Role.PROGRAMME_ADMIN}
    assert policy.allows(root, "audit.read") and not policy.allows(root, "assessment.join_team")


def test_a_scope_of_several_relations_keeps_every_row_one_of_them_allows(people, content, make_factory):
    """The head sees every assessment, and a monitor who is also a trainer still sees only their team's."""
    from ims.assessments.workflow import plan_assessment

    person, _buyer = people
    head = person("head@example.org", Role.HEAD)
    monitor = person("monitor@example.org", Role.MONITOR, Role.TRAINER)
    other = person("other@example.org", Role.MONITOR)
    factory = make_factory("SCOPE-1")
    day = timezone.localdate()
    mine = plan_assessment(factory=factory, version=content, actor=head, visit_start=day, visit_end=day,
                           monitors=[monitor, other])  # fmt: skip
    theirs = plan_assessment(factory=factory, version=content, actor=head, visit_start=day + timedelta(days=1),
                             visit_end=day + timedelta(days=1), monitors=[other])  # fmt: skip
    for user, expected in ((head, {mine, theirs}), (monitor, {mine}), (other, {mine, theirs})):
        rows = list(policy.scope(user, "assessment.read", Assessment.objects))
        assert sorted(row.pk for row in rows) == sorted(item.pk for item in expected), user
        assert len(rows) == len(set(rows))  # two monitors on one assessment: still one row


def test_a_grant_is_in_force_until_the_moment_it_expires_and_not_after_a_revocation(people, make_factory):
    person, buyer = people
    factory = make_factory("GRANT-1")
    granter = person("granter@example.org")
    now = timezone.now()
    grant = AccessGrant.objects.create(factory=factory, buyer=buyer, granted_by=granter, expires_at=now)
    assert policy.grant_is_in_force(grant, at=now - timedelta(microseconds=1))
    assert not policy.grant_is_in_force(grant, at=now)
    assert list(policy.grants_in_force(at=now - timedelta(seconds=1))) == [grant]
    assert not policy.grants_in_force(at=now).exists()
    AccessGrant.objects.filter(pk=grant.pk).update(expires_at=None, revoked_at=now)
    grant.refresh_from_db()
    assert not policy.grant_is_in_force(grant) and not policy.grants_in_force().exists()


def test_only_role_holders_are_offered_as_trainers_and_superusers_are_not_monitors(people):
    person, _buyer = people
    trainer = person("trainer@example.org", Role.TRAINER)
    person("root@example.org", is_superuser=True, is_staff=True)
    person("monitor@example.org", Role.MONITOR)
    assert list(policy.users_who_may("training.be_trainer")) == [trainer]
    assert [user.email for user in policy.users_who_may("assessment.join_team")] == ["monitor@example.org"]
    assert "root@example.org" in {user.email for user in policy.users_who_may("audit.read")}


def test_an_action_the_table_does_not_know_is_an_error_not_a_refusal(people):
    person, _buyer = people
    with pytest.raises(LookupError, match=r"no action 'report\.reed'"):
        policy.allows(person("a@example.org"), "report.reed")


# --- the world: the menu ---------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), world_in_a_transaction(media) as built:
        built.media = media
        yield built


@pytest.fixture
def clients(world, db, settings):
    settings.MEDIA_ROOT = world.media
    return {name: client_for(world, name) for name in PERSONAS}


class Links(HTMLParser):
    """The addresses the main menu links to."""

    def __init__(self):
        super().__init__()
        self.in_menu, self.links = False, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "nav" and attrs.get("aria-label") == "Main":
            self.in_menu = True
        elif tag == "a" and self.in_menu:
            self.links.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "nav":
            self.in_menu = False


def menu_links(client):
    parser = Links()
    parser.feed(client.get("/en/").text)
    return parser.links


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_the_menu_offers_exactly_the_pages_the_table_lets_each_person_open_and_each_opens(world, clients, persona):
    with translation.override("en"):
        expected = {entry.url for entry in MENU if expected_allowed(entry.action, PERSONAS[persona], None)}
    links = menu_links(clients[persona])
    assert set(links) == expected
    for link in links:
        response = clients[persona].get(link)
        assert response.status_code in ALLOWED_STATUSES, (link, response.status_code)
        assert "/login/" not in response.get("Location", ""), link


def test_each_menu_entry_names_the_action_its_page_declares():
    by_name = {pattern.name: pattern for pattern in url_patterns()}
    for entry in MENU:
        assert declared_actions(by_name[entry.url_name])["GET"] == entry.action, entry.url_name
