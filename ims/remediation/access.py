"""Who sees which factory's remediation: the one place the remediation pages and tasks ask.

Programme staff see every factory and the overdue list across them; a factory's own members see
theirs; a buyer sees a factory's remediation only while the factory grants it access to its reports
(the action plan is part of the detailed report it may read). Partners and the public see none.
"""

from ims.access.models import AccessGrant
from ims.factories.models import Factory


def oversees_all(user):
    return user.is_authenticated and (user.is_superuser or user.is_programme_staff)


def visible_factories(user):
    if not user.is_authenticated:
        return Factory.objects.none()
    if oversees_all(user):
        return Factory.objects.all()
    granted = AccessGrant.objects.active().filter(buyer__in=user.buyer_organisations()).values_list("factory_id")
    return Factory.objects.filter(pk__in=[*user.member_factory_ids(), *(row[0] for row in granted)])
