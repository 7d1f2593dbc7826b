"""The generated authorization matrix for Django's administration site: every admin URL x persona.

The site is the policy's "admin.site" rule (an account with is_staff); signing in and out is open.
"""

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import translation

from ims.site.admin_site import AdminSite
from tests.policy_matrix import ALLOWED_STATUSES, PERSONAS, Spec, attempt, client_for, judge, url_patterns
from tests.policy_world import world_in_a_transaction

ADMIN_PATTERNS = [pattern for pattern in url_patterns() if pattern.namespace == "admin"]
OBJECT_VIEWS = ("change", "delete", "history")
REGISTERED = {f"{model._meta.app_label}_{model._meta.model_name}": model for model in admin.site._registry}
# Past the site's gate, each model's admin decides (some tables are read-only: 403 on add or delete).
INSIDE_THE_SITE = frozenset({*ALLOWED_STATUSES, 403, 404})


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


def admin_url(world, pattern):
    """The address of an admin URL pattern, naming an existing row where it takes one."""
    view_name = pattern.name.split(":", 1)[1]
    with translation.override("en"):
        if view_name == "None":  # the catch-all and the redirects from an object's bare address
            return "/en/admin/accounts/user/1/" if "object_id" in pattern.route else "/en/admin/nowhere/"
        if view_name == "app_list":
            return reverse(pattern.name, kwargs={"app_label": "accounts"})
        if view_name == "view_on_site":
            content_type = ContentType.objects.get_for_model(world.factory)
            return reverse(pattern.name, kwargs={"content_type_id": content_type.pk, "object_id": world.factory.pk})
        if view_name == "auth_user_password_change":
            return reverse(pattern.name, kwargs={"id": world.users["head"].pk})
        for suffix in OBJECT_VIEWS:
            if view_name.removesuffix(f"_{suffix}") in REGISTERED:
                model = REGISTERED[view_name.removesuffix(f"_{suffix}")]
                row = model._default_manager.order_by("pk").first()
                return reverse(pattern.name, kwargs={"object_id": row.pk if row else 0})
        return reverse(pattern.name)


@pytest.mark.parametrize("pattern", ADMIN_PATTERNS, ids=[pattern.route for pattern in ADMIN_PATTERNS])
def test_only_the_administration_sites_users_open_its_pages(world, clients, pattern):
    view_name = pattern.name.split(":", 1)[1]
    actions = AdminSite.open_views.get(view_name, {"GET": AdminSite.policy_action})
    spec = Spec(actions, allowed_statuses=INSIDE_THE_SITE)
    problems = []
    if view_name == "login":  # the site's own sign-in stands in, with its throttling and second factor
        for method in actions:
            for persona in PERSONAS:
                outcome = attempt(clients[persona], method, admin_url(world, pattern), None, as_json=False)
                if not (outcome.status == 302 and outcome.location.startswith("/en/accounts/login/?next=")):
                    problems.append(f"{method} as {persona}: {outcome.status} {outcome.location}")
        assert not problems, "\n".join(problems)
        return
    for method, action in actions.items():
        url = admin_url(world, pattern)
        for persona in PERSONAS:
            outcome = attempt(clients[persona], method, url, None, as_json=False)
            problem = judge(spec, method, action, persona, outcome, None)
            if problem:
                problems.append(f"{url} {problem}")
    assert not problems, "\n".join(problems)
