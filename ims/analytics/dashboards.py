"""Who may see which private dashboard: the one place the analytics pages decide access.

- A factory's dashboard (its scores against the industry, its percentile, its progress over visits):
  programme staff, the factory's own managers, and buyers whose organisation the factory grants
  access now (ims.access, checked on every request).
- The buyer's view: buyer viewers, across the factories granting their organisation access now.
- The programme's overview: programme staff, and partner analysts, who see industry-level figures
  only, never a factory's private detail.
Anonymous visitors see none of them. The services in ims.analytics.services check visibility again.
"""

from dataclasses import dataclass
from functools import cached_property

from django.core.exceptions import PermissionDenied

from ims.access.models import AccessGrant
from ims.accounts.models import Role
from ims.factories.models import Factory


@dataclass
class DashboardScope:
    user: object

    @cached_property
    def is_programme(self):
        return self.user.is_authenticated and (self.user.is_superuser or self.user.is_programme_staff)

    @cached_property
    def is_buyer(self):
        return self.user.is_authenticated and self.user.has_role(Role.BUYER_VIEWER)

    @cached_property
    def is_partner(self):
        return self.user.is_authenticated and self.user.has_role(Role.PARTNER_ANALYST)

    def factories(self):
        """Factories whose private dashboard this user may open."""
        if not self.user.is_authenticated:
            return Factory.objects.none()
        if self.is_programme:
            return Factory.objects.all()
        granted = AccessGrant.objects.active().filter(buyer__in=self.user.buyer_organisations())
        return Factory.objects.filter(
            pk__in=[*self.user.member_factory_ids(), *granted.values_list("factory_id", flat=True)]
        )

    def factory(self, ref):
        """The factory with this reference if this user may see its dashboard, else PermissionDenied."""
        factory = self.factories().filter(ref=ref).first()
        if factory is None:
            raise PermissionDenied
        return factory

    @property
    def may_see_buyer_view(self):
        return self.is_buyer

    @property
    def may_see_overview(self):
        return self.is_programme or self.is_partner

    @property
    def may_see_factory_detail(self):
        """Factory-level private figures across the industry (lowest scores etc.): programme staff only."""
        return self.is_programme

    def require(self, allowed):
        if not allowed:
            raise PermissionDenied
