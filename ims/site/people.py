"""Who comes in and what needs them: the start page after sign-in, invitations, buyers' access requests."""

from datetime import datetime, time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.forms import SetPasswordForm
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from ims import policy
from ims.accounts.models import User
from ims.core.errors import DomainError
from ims.core.listing import paginate
from ims.people import access_requests, invitations
from ims.people.forms import (
    AccessDecisionForm,
    AccessRequestForm,
    InvitationFilterForm,
    InvitationForm,
    RequestFilterForm,
)
from ims.people.models import AccessRequest
from ims.people.start import sections_for, total_of


def start(request):
    """Where sign-in lands: what needs the person now, for each of their roles."""
    sections = sections_for(request.user)
    # The menu's count from these sections: the context processor would count them all again.
    return render(request, "accounts/start.html", {"sections": sections, "waiting_count": total_of(sections)})


def invitations_page(request):
    """Invite someone, and the invitations not used yet."""
    form = InvitationForm(request.POST or None, actor=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                invitation = invitations.invite(request.user, **form.cleaned_data)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("The invitation to %(email)s is on its way.") % {"email": invitation.email})
                return redirect("accounts:invitations")
        status = 400
    sent = invitations.pending().select_related("organisation").order_by("-created_at", "-pk")
    if not policy.allows(request.user, "invitations.any"):
        sent = sent.filter(invited_by=request.user)
    pending = paginate(request, sent, InvitationFilterForm(request.GET))
    context = {"form": form, "pending": pending, "invitation_days": settings.IMS_INVITATION_DAYS}
    return render(request, "accounts/invitations.html", context, status=max(status, pending.status))


def accept_invitation(request, token):
    """The invitation's link: the invitee chooses a password, then signs in with it."""
    invitation = invitations.open_invitation(token)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    invitee = User(email=invitation.email, full_name=invitation.full_name)
    form = SetPasswordForm(invitee, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitations.accept(invitation, form.cleaned_data["new_password1"])
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return render(request, "accounts/invitation_accepted.html", {"email": invitation.email})
    context = {"form": form, "invitation": invitation}
    return render(request, "accounts/accept_invitation.html", context, status=400 if form.errors else 200)


def access_requests_page(request):
    """A buyer asks factories for access and follows the answers; a factory's managers answer."""
    asking = policy.may_ever(request.user, "access.request")
    form = AccessRequestForm(request.POST or None) if asking else None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                access_requests.request_access(request.user, form.cleaned_data["factory"], form.cleaned_data["message"])
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Your request is sent: the factory's managers are told."))
                return redirect("accounts:access_requests")
        status = 400
    mine = AccessRequest.objects.filter(buyer__in=policy.buyer_organisations(request.user)).select_related("factory")
    context = {
        "form": form,
        "mine": paginate(request, mine.order_by("-created_at", "-pk"), RequestFilterForm(request.GET)),
        "to_answer": policy.scope(request.user, "access_request.decide", AccessRequest.objects)
        .filter(decision=AccessRequest.Decision.PENDING)
        .select_related("factory", "buyer", "requested_by"),
    }
    return render(request, "accounts/access_requests.html", context, status=max(status, context["mine"].status))


def decide_access_request(request, request_id):
    asked = policy.get_or_404(request.user, "access_request.decide", AccessRequest.objects, pk=request_id)
    form = AccessDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to grant or to decline, and a valid date if any."))
        return redirect("accounts:access_requests")
    expires_on = form.cleaned_data["expires_on"]
    expires_at = timezone.make_aware(datetime.combine(expires_on, time.max)) if expires_on else None
    try:
        access_requests.decide(request.user, asked, form.cleaned_data["decision"] == "grant", expires_at)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your answer is recorded and the buyer is told."))
    return redirect("accounts:access_requests")
