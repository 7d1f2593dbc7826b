import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ims import policy
from ims.accounts.models import Organisation, User
from ims.audit.models import record
from ims.core.dates import require_within, years_from_today
from ims.core.errors import Conflict, Invalid
from ims.factories.models import Factory
from ims.grants.models import AccessGrant

# Access granted "until" further ahead than this is a slip for "until revoked", which leaving it empty says.
MAX_GRANT_YEARS = 10


def _check_factory_manager(factory, actor):
    policy.require(
        actor, "grant.manage", factory, message=_("Only the factory's own managers can decide who sees its reports.")
    )


def require_plausible_expiry(expires_at: datetime.datetime) -> None:
    """Refuse (Invalid) an access end in the past or further ahead than MAX_GRANT_YEARS."""
    if expires_at <= timezone.now():
        raise Invalid(_("The expiry must be in the future."))
    require_within(expires_at.date(), _("The expiry"), latest=years_from_today(MAX_GRANT_YEARS))


@transaction.atomic
def grant_access(
    factory: Factory, buyer: Organisation, actor: User, expires_at: datetime.datetime | None = None
) -> AccessGrant:
    """Let a buyer read the factory's detailed reports; granting again only changes the expiry."""
    _check_factory_manager(factory, actor)
    if buyer.kind != Organisation.Kind.BUYER:
        raise Invalid(_("Access can only be granted to a buyer organisation."))
    if expires_at is not None:
        require_plausible_expiry(expires_at)
    # One granting per factory at a time: two managers granting the same buyer at once get one grant.
    Factory.objects.lock(factory)
    grant = (
        AccessGrant.objects.select_for_update().filter(factory=factory, buyer=buyer, revoked_at__isnull=True).first()
    )
    if grant is None:
        grant = AccessGrant.objects.create(factory=factory, buyer=buyer, granted_by=actor, expires_at=expires_at)
    else:
        grant.expires_at = expires_at
        grant.save(update_fields=["expires_at"])
    record(actor, "access.granted", grant, factory=factory, buyer=buyer.name,
           expires_at=expires_at.isoformat() if expires_at else None)  # fmt: skip
    return grant


@transaction.atomic
def revoke_access(grant: AccessGrant, actor: User) -> AccessGrant:
    _check_factory_manager(grant.factory, actor)
    grant = AccessGrant.objects.select_for_update().get(pk=grant.pk)
    if grant.revoked_at is not None:
        raise Conflict(_("This access was already revoked."))
    grant.revoked_at = timezone.now()
    grant.revoked_by = actor
    grant.save(update_fields=["revoked_at", "revoked_by"])
    record(actor, "access.revoked", grant, factory=grant.factory, buyer=grant.buyer.name)
    return grant
