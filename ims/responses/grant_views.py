"""Factory managers decide which buyers read their detailed reports; the rules are in ims.responses.grants."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from ims import policy
from ims.core.errors import DomainError
from ims.core.listing import paginate
from ims.core.sentences import one_full_stop
from ims.factories.models import Factory
from ims.grants.models import AccessGrant
from ims.policy.guards import guard
from ims.responses.grant_forms import GrantFilterForm, GrantForm
from ims.responses.grants import grant_access, revoke_access

GRANT_STATES = {
    "active": pgettext_lazy("access grant", "Active"),
    "expired": gettext_lazy("Expired"),
    "revoked": gettext_lazy("Revoked"),
}


def _managed_factories(user):
    """The factories whose access this user manages; anyone else may not use these pages."""
    factories = policy.scope(user, "grant.manage", Factory.objects)
    if not factories.exists():
        raise PermissionDenied
    return factories


def grant_state(grant):
    if grant.revoked_at is not None:
        return "revoked"
    return "active" if policy.grant_is_in_force(grant) else "expired"


@guard(GET="grants.open", POST="grant.manage")
def grants(request):
    factories = _managed_factories(request.user)
    if request.method == "POST" and not factories.filter(ref=request.POST.get("factory")).exists():
        raise Http404  # a factory the user does not manage is not theirs to see
    posted = GrantForm(request.POST, factories=factories) if request.method == "POST" else None
    status = 200
    if posted is not None:
        if posted.is_valid():
            data = posted.cleaned_data
            try:
                grant_access(data["factory"], data["buyer"], request.user, expires_at=posted.expires_at())
            except DomainError as error:
                messages.error(request, error.message)
                status = error.status
            else:
                messages.success(
                    request,
                    one_full_stop(
                        _("%(buyer)s can now read the reports of %(factory)s.")
                        % {"buyer": data["buyer"], "factory": data["factory"].display_name}
                    ),
                )
                return redirect("grants:grants")
        else:
            status = 400
    return _grants_page(request, factories, posted, status)


def _grants_page(request, factories, posted, status):
    filters = GrantFilterForm(request.GET, states=GRANT_STATES)
    sections = _sections(request, factories, posted, filters)
    return render(
        request, "grants/grants.html", {"sections": sections}, status=max(status, 400 if filters.errors else 200)
    )


def _sections(request, factories, posted, filters):
    """One section per managed factory: a page of its grants, newest first, and a form to grant a buyer."""
    sections = []
    for factory in factories.order_by("name_en"):
        grants = factory.access_grants.select_related("buyer", "granted_by", "revoked_by").order_by(
            "-granted_at", "-pk"
        )
        factory_grants = paginate(request, grants, filters, prefix=f"grants-{factory.ref}")
        for grant in factory_grants.page.object_list:
            grant.state = grant_state(grant)
            grant.state_label = GRANT_STATES[grant.state]
        form = posted if posted is not None and posted.data.get("factory") == factory.ref else None
        if form is None:
            form = GrantForm(initial={"factory": factory.ref}, factories=factories)
            form.offer_buyers_without_access(factory)
        form.auto_id = f"id_{factory.pk}_%s"
        sections.append({"factory": factory, "grants": factory_grants, "form": form})
    return sections


@guard(POST="grant.manage")
def revoke(request, grant_id):
    factories = _managed_factories(request.user)
    grant = get_object_or_404(AccessGrant.objects.filter(factory__in=factories).select_related("buyer"), pk=grant_id)
    try:
        revoke_access(grant, request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return _grants_page(request, factories, None, error.status)
    messages.success(request, _("%(buyer)s can no longer read your reports.") % {"buyer": grant.buyer})
    return redirect("grants:grants")
