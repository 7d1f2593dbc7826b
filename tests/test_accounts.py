import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from ims import policy
from ims.accounts.models import Membership, Organisation, Role, User
from tests.factories import PASSWORD


@pytest.mark.django_db
def test_sign_in_with_email_in_any_case_keeps_the_sign_in_page_language(client, make_user):
    make_user("chenda@example.org", language="en")
    response = client.post("/km/accounts/login/", {"username": "Chenda@Example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/km/accounts/start/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "km"
    # the cookie now sends a bare visit to the remembered language
    assert client.get("/")["Location"] == "/km/"


@pytest.mark.django_db
def test_wrong_password_is_refused_with_a_translated_message(client, make_user):
    make_user("chenda@example.org")
    response = client.post("/km/accounts/login/", {"username": "chenda@example.org", "password": "wrong"})
    assert response.status_code == 200
    assert "សូមបញ្ចូល" in response.text  # the Khmer error, not English
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_switching_language_is_remembered_on_the_account(client, make_user):
    user = make_user("li@example.org", language="en")
    client.force_login(user)
    response = client.post(reverse("set_language"), {"language": "zh-hans", "next": "/en/checklists/"})
    assert response["Location"] == "/zh-hans/checklists/"
    user.refresh_from_db()
    assert user.preferred_language == "zh-hans"


@pytest.mark.django_db
def test_anonymous_language_switch_sets_only_the_cookie(client):
    response = client.post(reverse("set_language"), {"language": "km", "next": "/en/"})
    assert response["Location"] == "/km/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "km"


@pytest.mark.django_db
def test_a_role_must_fit_its_organisation_kind(make_user, programme):
    user = make_user("x@example.org")
    buyer = Organisation.objects.create(name="Brand", kind=Organisation.Kind.BUYER)
    with pytest.raises(ValidationError, match="belongs in a Programme organisation"):
        Membership.objects.create(user=user, organisation=buyer, role=Role.MONITOR)
    Membership.objects.create(user=user, organisation=buyer, role=Role.BUYER_VIEWER)
    Membership.objects.create(user=user, organisation=programme, role=Role.TRANSLATOR)
    user = User.objects.get(pk=user.pk)
    assert policy.roles_of(user) == {Role.BUYER_VIEWER, Role.TRANSLATOR}
    assert policy.may_ever(user, "reports.programme")  # a translator is programme staff


@pytest.mark.django_db
def test_a_factory_organisation_must_name_its_factory(make_factory):
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(name="Nameless", kind=Organisation.Kind.FACTORY)
    organisation = Organisation.objects.create(name="Real", kind=Organisation.Kind.FACTORY, factory=make_factory())
    assert organisation.factory.organisation == organisation


@pytest.mark.django_db
def test_email_addresses_are_unique_whatever_their_case(make_user):
    make_user("Dup@Example.org")
    assert User.objects.get(email="dup@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        User(email="DUP@example.org", full_name="Twin").save()


@pytest.mark.django_db
def test_seed_demo_refuses_to_run_in_production(settings):
    from django.core.management import CommandError, call_command

    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="never created in production"):
        call_command("seed_demo")
    assert not User.objects.filter(email__endswith="@ims.demo").exists()
