"""Ten requests at the same moment, each on its own database connection: the rules that say "only one" hold
because the database holds them, and the losers get a clear answer instead of a 500.

Each of the ten transactions is held right before the statement where it would see or take what the others
want, until all ten are there; then all go on at once. SQLite runs one write transaction at a time, so the
requests cannot interleave there: these run on PostgreSQL (CI's second stage).
"""

import threading
import uuid
from datetime import date

import pytest
from django.db import connection

from ims.assessments.models import Assessment
from ims.assessments.workflow import plan_assessment
from ims.core.errors import Conflict
from ims.grants.models import AccessGrant
from ims.responses.grants import grant_access
from ims.responses.models import Objection
from ims.responses.services import object_to_finding
from tests.factories import finding, publish_visit

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite runs one write transaction at a time: nothing interleaves"
    ),
    pytest.mark.django_db(transaction=True),
]
PARALLEL = 10


def at_once(work, meets_at):
    """Runs work(index) in PARALLEL threads; each waits for the others at its first SQL statement for which
    meets_at(sql) is true. Returns each thread's result, or the name of the domain error it raised."""
    barrier = threading.Barrier(PARALLEL, timeout=60)
    outcomes = [None] * PARALLEL

    def attempt(index):
        met = []

        def meet_the_others_first(execute, sql, params, many, context):
            if not met and meets_at(sql):
                met.append(sql)
                barrier.wait()
            return execute(sql, params, many, context)

        try:
            with connection.execute_wrapper(meet_the_others_first):
                outcomes[index] = work(index)
        except Conflict:
            outcomes[index] = "conflict"
        except Exception as error:  # reported in the test's assertion, not lost in a thread
            outcomes[index] = repr(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(index,)) for index in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_ten_objections_to_one_finding_at_once_leave_one_open(team, content):
    visit = publish_visit(team, content, date(2026, 5, 4), ("OS.8.7",))
    wage = finding(visit, "OS.8.7")

    outcomes = at_once(
        lambda index: object_to_finding(wage, team.manager, f"Objection {index}", "en").pk,
        meets_at=lambda sql: '"responses_objection"' in sql,
    )
    assert sorted(outcome == "conflict" for outcome in outcomes) == [False] + [True] * (PARALLEL - 1), outcomes
    assert Objection.objects.filter(finding=wage, status="open").count() == 1


def plan(team, content, day, client_uuid):
    return plan_assessment(factory=team.factory, version=content, actor=team.head, visit_start=day, visit_end=day,
                           monitors=[team.monitor], client_uuid=client_uuid)  # fmt: skip


def test_ten_plans_of_one_factory_on_one_day_get_ten_references(team, content):
    day = date(2026, 6, 1)
    outcomes = at_once(
        lambda index: plan(team, content, day, uuid.uuid4()).ref,
        meets_at=lambda sql: '"assessments_assessment"' in sql or '"factories_factory"' in sql,
    )
    base = f"{team.factory.ref}-20260601"
    assert sorted(outcomes) == sorted([base] + [f"{base}-{number}" for number in range(2, PARALLEL + 1)]), outcomes
    assert Assessment.objects.filter(factory=team.factory, visit_start=day).count() == PARALLEL


def test_one_plan_sent_ten_times_at_once_plans_one_assessment(team, content):
    day, client_uuid = date(2026, 6, 2), uuid.uuid4()
    outcomes = at_once(
        lambda index: plan(team, content, day, client_uuid).pk,
        meets_at=lambda sql: '"assessments_assessment"' in sql or '"factories_factory"' in sql,
    )
    (planned,) = Assessment.objects.filter(client_uuid=client_uuid)
    assert outcomes == [planned.pk] * PARALLEL  # every sender gets the first answer again


def test_ten_grants_to_one_buyer_at_once_make_one_grant(team):
    outcomes = at_once(
        lambda index: grant_access(team.factory, team.buyer_org, team.manager).pk,
        meets_at=lambda sql: '"grants_accessgrant"' in sql or '"factories_factory"' in sql,
    )
    (grant,) = AccessGrant.objects.filter(factory=team.factory, buyer=team.buyer_org)
    assert outcomes == [grant.pk] * PARALLEL
