"""Who signs in with a second factor: the programme head and administrators, who publish and see everything,
must; everyone else may (ims.accounts.two_factor holds the devices and checks the codes)."""

from django.contrib.auth.models import AnonymousUser

from ims.accounts import two_factor
from ims.accounts.models import Role, User
from ims.policy.subjects import roles_of

REQUIRED_FOR = frozenset({Role.HEAD, Role.PROGRAMME_ADMIN})


def second_factor_required(user: User | AnonymousUser) -> bool:
    return bool(roles_of(user) & REQUIRED_FOR)


def asks_for_second_factor(user: User | AnonymousUser) -> bool:
    """Whether signing in takes a second step: enrolled, or obliged to enrol first."""
    return two_factor.is_enrolled(user) or second_factor_required(user)
