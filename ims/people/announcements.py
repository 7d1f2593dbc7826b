"""Who is told of what: the events that someone must hear of, and to whom each goes (ims.notifications
writes and sends the notices).

Events come from the audit trail (ims.audit: a draft submitted or returned, an objection filed or ruled on,
access asked for, granted, declined or revoked), from publication (report_published) and from the daily scan
(access about to end, actions gone overdue).
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from ims.accounts.models import Role, User
from ims.assessments.models import Assessment
from ims.grants.models import AccessGrant
from ims.notifications.notices import announce
from ims.people.models import AccessRequest
from ims.policy.subjects import buyer_readers, factory_managers, grants_ending, grants_in_force, users_holding
from ims.remediation.services import overdue_items
from ims.responses.models import Objection

# Access ending within this many days is announced once, in the daily scan.
ACCESS_EXPIRY_WARNING = timedelta(days=7)


def _assessment_params(assessment):
    return {"ref": assessment.ref}


def on_audit_event(event):
    """The audit trail's events that someone must hear of (called as each event is recorded)."""
    handler = _AUDITED.get(event.action)
    return handler(event) if handler is not None else []


def _submitted(event):
    assessment = Assessment.objects.get(pk=event.object_id)
    return announce("submitted", users_holding({Role.HEAD}), key=event.pk, factory=assessment.factory,
             link=("reports:review", {"ref": assessment.ref}), params=_assessment_params(assessment),
             actor=event.actor)  # fmt: skip


def _returned(event):
    assessment = Assessment.objects.get(pk=event.object_id)
    return announce("returned", User.objects.filter(pk__in=assessment.team.values("user")), key=event.pk,
             factory=assessment.factory, link=("assessments:detail", {"ref": assessment.ref}),
             params=_assessment_params(assessment), actor=event.actor)  # fmt: skip


def _objection_filed(event):
    objection = Objection.objects.select_related("finding__assessment").get(pk=event.object_id)
    assessment = objection.finding.assessment
    return announce("objection_filed", users_holding({Role.HEAD}), key=event.pk, factory=assessment.factory,
             link=("reports:objections", {}), params=_assessment_params(assessment), actor=event.actor)  # fmt: skip


def _ruling(event):
    objection = Objection.objects.select_related("finding__assessment").get(pk=event.object_id)
    assessment = objection.finding.assessment
    revision = assessment.current_revision()
    return announce("ruling", factory_managers(assessment.factory_id), key=event.pk, factory=assessment.factory,
             link=("reports:revision", {"ref": assessment.ref, "number": revision.number}),
             params=_assessment_params(assessment), actor=event.actor)  # fmt: skip


def _access_changed(event):
    grant = AccessGrant.objects.select_related("factory").get(pk=event.object_id)
    name = "access_granted" if event.action == "access.granted" else "access_revoked"
    link = ("reports:index", {}) if name == "access_granted" else ("core:home", {})
    return announce(name, buyer_readers([grant.buyer_id]), key=event.pk, factory=grant.factory, link=link,
             actor=event.actor)  # fmt: skip


def _access_request(event):
    asked = AccessRequest.objects.select_related("factory", "buyer").get(pk=event.object_id)
    link = ("accounts:access_requests", {})
    if event.action == "access.requested":
        return announce("access_requested", factory_managers(asked.factory_id), key=event.pk, factory=asked.factory,
                        link=link, params={"buyer": asked.buyer.name}, actor=event.actor)  # fmt: skip
    return announce("access_declined", buyer_readers([asked.buyer_id]), key=event.pk, factory=asked.factory,
                    link=link, actor=event.actor)  # fmt: skip


_AUDITED = {
    "assessment.submit": _submitted,
    "assessment.return": _returned,
    "objection.filed": _objection_filed,
    "objection.upheld": _ruling,
    "objection.revised": _ruling,
    "access.granted": _access_changed,
    "access.revoked": _access_changed,
    "access.requested": _access_request,
    "access.declined": _access_request,
}


def on_report_published(revision):
    assessment = revision.assessment
    buyers = grants_in_force().filter(factory_id=assessment.factory_id).values("buyer_id")
    readers = factory_managers(assessment.factory_id) | buyer_readers(buyers)
    return announce("published", readers.distinct(), key=f"revision:{revision.pk}", factory=assessment.factory,
             link=("reports:revision", {"ref": assessment.ref, "number": revision.number}),
             params={**_assessment_params(assessment), "revision": revision.number})  # fmt: skip


@transaction.atomic
def announce_daily(today=None):
    """The day's scan: access ending within a week (told once per grant and end), actions now overdue."""
    today = today or timezone.localdate()
    for grant in grants_ending(timezone.now() + ACCESS_EXPIRY_WARNING).select_related("factory"):
        end = timezone.localtime(grant.expires_at).date()
        announce("access_expiring", buyer_readers([grant.buyer_id]), key=f"grant:{grant.pk}:{end.isoformat()}",
                 factory=grant.factory, link=("reports:index", {}), params={"date": end.isoformat()})  # fmt: skip
    overdue = overdue_items(today).select_related("finding__assessment__factory")
    for item in overdue:
        factory = item.finding.assessment.factory
        announce("action_overdue", factory_managers(factory.pk), key=f"action:{item.pk}:{item.due_date.isoformat()}",
                 factory=factory, link=("remediation:factory", {"ref": factory.ref}),
                 params={"date": item.due_date.isoformat()})  # fmt: skip
