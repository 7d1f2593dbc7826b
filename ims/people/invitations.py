"""Invitations: an administrator invites anyone with an organisation and a role; a factory manager invites
colleagues of their own factory. The invitee gets an email in their language with a signed link that sets a
password once and expires after IMS_INVITATION_DAYS; the account is made when the link is used.
"""

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ims import policy
from ims.accounts.models import ORGANISATION_KIND_OF_ROLE, Membership, Organisation, Role, User
from ims.audit.models import record
from ims.core.errors import Conflict, Invalid, NotAllowed
from ims.notifications import outbox
from ims.notifications.messages import site_url
from ims.operations.queue import enqueue_with_change
from ims.people.models import Invitation

SALT = "ims.people.invitation"


def link_token(invitation):
    return signing.dumps(invitation.pk, salt=SALT)


def max_age():
    return settings.IMS_INVITATION_DAYS * 24 * 3600


def organisations_for(actor):
    """The organisations the actor may invite people into: any for administrators, else their factories'."""
    if policy.allows(actor, "invitations.any"):
        return Organisation.objects.all()
    factories = policy.scope(actor, "factory.act_for", Organisation.objects, via="factory")
    return factories.filter(kind=Organisation.Kind.FACTORY)


def roles_for(actor):
    if policy.allows(actor, "invitations.any"):
        return list(Role)
    return [Role.FACTORY_MANAGER]


@transaction.atomic
def invite(actor, *, email, full_name, organisation, role, language):
    """Record the invitation and queue its email; the rules: who may invite whom, where."""
    if not organisations_for(actor).filter(pk=organisation.pk).exists() or role not in roles_for(actor):
        raise NotAllowed(_("You may invite colleagues of your own factory only."))
    if ORGANISATION_KIND_OF_ROLE[role] != organisation.kind:
        raise Invalid(
            _("The role %(role)s belongs in a %(kind)s organisation.")
            % {"role": Role(role).label, "kind": Organisation.Kind(ORGANISATION_KIND_OF_ROLE[role]).label}
        )
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise Conflict(_("Someone already has an account with this email address."))
    invitation = Invitation.objects.create(email=email, full_name=full_name.strip(), organisation=organisation,
                                           role=role, language=language, invited_by=actor)  # fmt: skip
    record(actor, "invitation.sent", invitation, factory=organisation.factory, email=email, role=role)
    enqueue_with_change(send_invitation, invitation.pk)
    return invitation


@task
def send_invitation(invitation_id):
    """Email the invitation (once; retried hourly while it failed, ims.people.tasks)."""
    invitation = Invitation.objects.select_related("organisation", "invited_by").get(pk=invitation_id)

    def compose(claimed):
        with translation.override(invitation.language):
            context = {
                "invitation": invitation,
                "role": Role(invitation.role).label,
                "link": site_url() + reverse("accounts:accept_invitation", args=[link_token(invitation)]),
                "days": settings.IMS_INVITATION_DAYS,
            }
            subject = render_to_string("accounts/email/invitation_subject.txt", context)
            body = render_to_string("accounts/email/invitation_body.txt", context)
        headers = {
            "Content-Language": invitation.language,
            "Message-ID": outbox.message_id("invitation", invitation.pk),
        }
        return EmailMessage(" ".join(subject.split()), body, to=[invitation.email], headers=headers)

    return outbox.deliver(Invitation.objects.filter(pk=invitation.pk), compose)


def open_invitation(token):
    """The invitation a link names, if the link is genuine, not expired and not used yet; else None."""
    try:
        invitation_id = signing.loads(token, salt=SALT, max_age=max_age())
    except signing.BadSignature:
        return None
    return Invitation.objects.filter(pk=invitation_id, accepted_at__isnull=True).first()


@transaction.atomic
def accept(invitation, password):
    """Make the account with the chosen password and its role; the link is spent."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise Conflict(_("This invitation was used already."))
    user = User.objects.create_user(invitation.email, password, full_name=invitation.full_name,
                                    preferred_language=invitation.language)  # fmt: skip
    Membership.objects.create(user=user, organisation=invitation.organisation, role=invitation.role)
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    record(user, "invitation.accepted", invitation, factory=invitation.organisation.factory, role=invitation.role)
    return user


def pending():
    """Invitations not used yet and still valid."""
    since = timezone.now() - timezone.timedelta(seconds=max_age())
    return Invitation.objects.filter(accepted_at__isnull=True, created_at__gt=since)
