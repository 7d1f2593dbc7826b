"""Who a user is to the policy: the roles they hold, the factories they manage, the buyers they read for.

Roles come from memberships (a user may hold several, in several organisations). A Django
superuser also holds the programme's oversight roles (head and programme administrator): the
person who installs IMS can run it before the first membership exists. Nothing here decides what a
role may do: that is the table in ims.policy.table.
"""

from django.db.models import Q
from django.utils import timezone

from ims.accounts.models import ORGANISATION_KIND_OF_ROLE, Membership, Organisation, Role, User
from ims.grants.models import AccessGrant

PROGRAMME_ROLES = frozenset(
    role for role, kind in ORGANISATION_KIND_OF_ROLE.items() if kind == Organisation.Kind.PROGRAMME
)

SUPERUSER_ROLES = frozenset({Role.HEAD, Role.PROGRAMME_ADMIN})


def roles_of(user):
    """The role codes the user holds in any organisation, read once per user object (one request)."""
    if not user.is_authenticated:
        return frozenset()
    roles = getattr(user, "_policy_roles", None)
    if roles is None:
        roles = frozenset(Membership.objects.filter(user=user).values_list("role", flat=True))
        if user.is_superuser:
            roles |= SUPERUSER_ROLES
        user._policy_roles = roles
    return roles


def managed_factory_ids(user):
    """Factories whose organisation the user manages (as a subquery: never cached, always current)."""
    if Role.FACTORY_MANAGER not in roles_of(user):
        return Organisation.objects.none().values("factory_id")
    return Organisation.objects.filter(
        kind=Organisation.Kind.FACTORY,
        factory__isnull=False,
        memberships__user=user,
        memberships__role=Role.FACTORY_MANAGER,
    ).values("factory_id")


def buyer_organisations(user):
    """The buyer organisations the user reads reports for."""
    if Role.BUYER_VIEWER not in roles_of(user):
        return Organisation.objects.none()
    return Organisation.objects.filter(
        kind=Organisation.Kind.BUYER, memberships__user=user, memberships__role=Role.BUYER_VIEWER
    )


def grants_in_force(at=None):
    """Access grants in force at a moment (now by default): not revoked and not expired.

    This is the one definition of a grant in force; every page, query and task reads it here.
    """
    at = at or timezone.now()
    return AccessGrant.objects.filter(revoked_at__isnull=True).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=at))


def grant_is_in_force(grant, at=None):
    at = at or timezone.now()
    return grant.revoked_at is None and (grant.expires_at is None or grant.expires_at > at)


def granted_factory_ids(user):
    """Factories that grant one of the user's buyer organisations access now (a subquery)."""
    return grants_in_force().filter(buyer__in=buyer_organisations(user)).values("factory_id")


def users_holding(roles):
    """Active users who hold any of these roles (superusers for the roles they hold by being one)."""
    holders = User.objects.filter(is_active=True, memberships__role__in=roles)
    if set(roles) & SUPERUSER_ROLES:
        holders = holders | User.objects.filter(is_active=True, is_superuser=True)
    return holders.distinct()


def factory_managers(factory_id):
    """Active users who manage this factory (told of its reports, rulings and overdue actions)."""
    return User.objects.filter(
        is_active=True,
        memberships__role=Role.FACTORY_MANAGER,
        memberships__organisation__kind=Organisation.Kind.FACTORY,
        memberships__organisation__factory_id=factory_id,
    ).distinct()


def buyer_readers(buyer_ids):
    """Active users who read reports for these buyer organisations."""
    return User.objects.filter(
        is_active=True, memberships__role=Role.BUYER_VIEWER, memberships__organisation__in=buyer_ids
    ).distinct()


def grants_ending(by):
    """Grants in force now that end by this moment (their buyers are told before access ends)."""
    return grants_in_force().filter(expires_at__lte=by)
