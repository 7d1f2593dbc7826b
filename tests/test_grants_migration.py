"""The buyer-grant app was called "access": migrating a database of that time keeps its grants."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from ims import policy
from ims.grants.models import AccessGrant

OLD_TABLE = "access_accessgrant"


def _as_the_access_app_left_it(grant_fields):
    """The database as the access app left it: its table holding one grant, its content type and history."""
    executor = MigrationExecutor(connection)
    executor.migrate([("grants", None)])  # the grants table, its migration record: gone
    state = executor.loader.project_state(("grants", "0001_initial"))
    old_model = state.apps.get_model("grants", "AccessGrant")
    old_model._meta.db_table = OLD_TABLE
    with connection.schema_editor() as editor:
        editor.create_model(old_model)
    grant = old_model.objects.create(**grant_fields)
    ContentType.objects.filter(app_label="grants").update(app_label="access")
    ContentType.objects.clear_cache()
    MigrationRecorder(connection).record_applied("access", "0001_initial")
    return grant.pk


@pytest.mark.django_db(transaction=True)
def test_migrating_a_database_of_the_access_app_keeps_its_grants_permissions_and_history(team):
    expires_at = timezone.now() + timedelta(days=30)
    content_type_id = ContentType.objects.get(app_label="grants", model="accessgrant").pk
    old_row = {"factory_id": team.factory.pk, "buyer_id": team.buyer_org.pk, "granted_by_id": team.manager.pk}
    grant_id = _as_the_access_app_left_it({**old_row, "expires_at": expires_at})
    assert OLD_TABLE in connection.introspection.table_names()
    assert ContentType.objects.filter(app_label="access").exists()

    executor = MigrationExecutor(connection)
    executor.migrate([("grants", "0001_initial")])

    grant = AccessGrant.objects.get()
    assert (grant.pk, grant.factory_id, grant.buyer_id, grant.granted_by_id, grant.expires_at) == (
        grant_id, team.factory.pk, team.buyer_org.pk, team.manager.pk, expires_at,
    )  # fmt: skip
    assert policy.grant_is_in_force(grant)
    assert OLD_TABLE not in connection.introspection.table_names()
    ContentType.objects.clear_cache()
    assert not ContentType.objects.filter(app_label="access").exists()
    assert ContentType.objects.get_for_model(AccessGrant).pk == content_type_id  # admin log entries still point at it
    assert Permission.objects.filter(content_type_id=content_type_id, codename="change_accessgrant").exists()
    applied = MigrationRecorder(connection).applied_migrations()
    assert ("grants", "0001_initial") in applied
    assert not [key for key in applied if key[0] == "access"]
    assert team.buyer_org.access_grants.get() == grant  # the ORM's relations reach the adopted rows
