"""Buyers ask a factory for access to its detailed reports; the factory's managers are told (a notification)
and grant, through the grant machinery of ims.responses.grants, or decline (the buyer is told either way)."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ims import policy
from ims.audit.models import record
from ims.core.errors import Conflict, NotAllowed
from ims.people.models import AccessRequest
from ims.responses.grants import grant_access, require_plausible_expiry

Decision = AccessRequest.Decision


@transaction.atomic
def request_access(actor, factory, message=""):
    buyer = policy.buyer_organisations(actor).order_by("pk").first()
    if buyer is None:
        raise NotAllowed(_("Only buyers ask factories for access."))
    if policy.grants_in_force().filter(factory=factory, buyer=buyer).exists():
        raise Conflict(_("%(factory)s gives your organisation access already.") % {"factory": factory.display_name})
    try:
        with transaction.atomic():
            asked = AccessRequest.objects.create(factory=factory, buyer=buyer, requested_by=actor,
                                                 message=message.strip())  # fmt: skip
    except IntegrityError:
        raise Conflict(_("Your organisation's request to this factory is waiting for its answer already.")) from None
    record(actor, "access.requested", asked, factory=factory, buyer=buyer.name)
    return asked


@transaction.atomic
def decide(actor, asked, grant, expires_at=None):
    """Grant (until expires_at, if given) or decline; an implausible expiry is refused either way, since the
    form that sent it was filled in wrongly."""
    if expires_at is not None:
        require_plausible_expiry(expires_at)
    asked = AccessRequest.objects.select_for_update().select_related("factory", "buyer").get(pk=asked.pk)
    policy.require(actor, "access_request.decide", asked, message=_("Only the factory's managers answer its requests."))
    if asked.decision != Decision.PENDING:
        raise Conflict(_("This request is answered already."))
    if grant:
        grant_access(asked.factory, asked.buyer, actor, expires_at=expires_at)
    else:
        record(actor, "access.declined", asked, factory=asked.factory, buyer=asked.buyer.name)
    asked.decision = Decision.GRANTED if grant else Decision.DECLINED
    asked.decided_by, asked.decided_at = actor, timezone.now()
    asked.save(update_fields=["decision", "decided_by", "decided_at"])
    return asked
