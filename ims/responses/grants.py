import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ims import policy
from ims.accounts.models import Organisation, User
from ims.audit.models import record
from ims.core.errors import Conflict, Invalid
from ims.factories.models import Factory
from ims.grants.models import AccessGrant


def _check_factory_manager(factory, actor):
    policy.require(
        actor, "grant.manage", factory, message=_("Only the factory's own managers can decide who sees its reports.")
    )


@transaction.atomic
def grant_access(
    factory: Factory, buyer: Organisation, actor: User, expires_at: datetime.datetime | None = None
) -> AccessGrant:
    """Let a buyer read the factory's detailed reports; granting again only changes the expiry."""
    _check_factory_manager(factory, actor)
    if buyer.kind != Organisation.Kind.BUYER:
        raise Invalid(_("Access can only be granted to a buyer organisation."))
    if expires_at is not None and expires_at <= timezone.now():
        raise Invalid(_("The expiry must be in the future."))
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
