"""The generated authorization matrix for the API, capture and open-data endpoints.

Every endpoint x persona x object state.

See tests/policy_matrix.py for how outcomes are judged.
"""

import pytest

from tests.policy_matrix import API, PERSONAS, check_pattern, client_for
from tests.policy_world import world_in_a_transaction


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


@pytest.mark.parametrize("name", sorted(API))
def test_every_persona_in_every_state_gets_what_the_policy_table_says(world, clients, name):
    problems = check_pattern(world, clients, name)
    assert not problems, "\n".join(problems)
