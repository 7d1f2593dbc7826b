"""Who sees and who records advisory work: the one place the advisory pages ask.

Programme staff see every factory's advisory history; a factory's own members see theirs. Buyers
and partners do not: a buyer's grant opens the factory's reports, not its advisory work.
Advisors, and the head and programme administrators who oversee them, record it.
"""

from ims.accounts.models import Role
from ims.factories.models import Factory

RECORDING_ROLES = (Role.ADVISOR, Role.HEAD, Role.PROGRAMME_ADMIN)


def visible_factories(user):
    if not user.is_authenticated:
        return Factory.objects.none()
    if user.is_superuser or user.is_programme_staff:
        return Factory.objects.all()
    return Factory.objects.filter(pk__in=list(user.member_factory_ids()))


def can_record(user):
    return user.is_authenticated and (user.is_superuser or user.has_role(*RECORDING_ROLES))
