"""Malformed input to every URL pattern and every field, as a persona the policy lets through: never a
server error, and nothing stored (see tests/fuzzing.py for the corpus and how answers are judged)."""

import time

import pytest
from django.conf import settings as django_settings
from django.urls import resolve

from tests.fuzzing import SPECS, check, check_admin, converters_by_name, database_checksums, uncovered_patterns
from tests.policy_matrix import client_for, url_patterns
from tests.policy_world import world_in_a_transaction
from tests.test_policy_matrix_admin import admin_url

ADMIN_PATTERNS = [pattern for pattern in url_patterns() if pattern.namespace == "admin"]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The policy matrix's world. Each probe's own changes are found and undone as it runs; once all have run,
    every table is compared with the world as built, in case a change escaped the probes' SQL."""
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), world_in_a_transaction(media) as built:
        built.media = media
        before = database_checksums()
        yield built
        changed = sorted(table for table, checksum in database_checksums().items() if before.get(table) != checksum)
        assert not changed, f"the fuzzing changed {changed}"


class Clients(dict):
    """A signed-in client per persona, made when first asked for (a test sends as one or two of them)."""

    def __init__(self, world):
        super().__init__()
        self.world = world

    def __missing__(self, persona):
        self[persona] = client_for(self.world, persona)
        return self[persona]


@pytest.fixture
def clients(world, db, settings):
    settings.MEDIA_ROOT = world.media
    # Rate limits would answer 429 before the malformed field is read; they are tested in test_operations.
    settings.REST_FRAMEWORK = {
        **django_settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": dict.fromkeys(django_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "10000/s"),
    }
    return Clients(world)


def test_every_url_pattern_is_fuzzed():
    """The patterns outside the administration site are fuzzed from SPECS, the site's from the resolver."""
    assert not uncovered_patterns(), "URL patterns tests/fuzzing.py does not reach (add them to SPECS)"


@pytest.mark.parametrize("name", sorted(SPECS))
def test_malformed_input_is_refused_without_a_server_error_or_a_change(world, clients, name):
    started, cpu = time.perf_counter(), time.process_time()
    limit = django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    problems, sent = check(world, clients, name, converters_by_name(), limit, world.media)
    print(f"{name}: {sent} requests in {time.perf_counter() - started:.2f} s ({time.process_time() - cpu:.2f} s CPU)")
    assert sent > 0
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("pattern", ADMIN_PATTERNS, ids=[pattern.route for pattern in ADMIN_PATTERNS])
def test_malformed_addresses_in_the_administration_site_are_answered_without_a_server_error(world, clients, pattern):
    url = admin_url(world, pattern)
    changelist = pattern.name.endswith(("_changelist", ":index"))
    problems, sent = check_admin(clients["superuser"], url, resolve(url).kwargs, changelist)
    assert sent > 0
    assert not problems, "\n".join(problems)
