"""Pages and API endpoints declare the action each HTTP method takes; the guard refuses early.

The declaration is what the generated authorization tests read (every URL pattern must have one).
Before the view runs, the guard answers what needs no object: a visitor who is not signed in is
sent to sign in (a script asking for JSON gets a 401), and a user whose roles do not allow an
action about no object gets a 403. A page about an object finds it through ims.policy.scope (404
outside the user's scope, so nobody learns whether it exists) and checks the action with
ims.policy.require (403 for an object the user may see but not act on).
"""

from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, JsonResponse
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import BasePermission

from ims.core.errors import error_body
from ims.policy import may_ever
from ims.policy.table import TABLE


@dataclass(frozen=True)
class StepFromField:
    """The action is named by a posted field: `action=approve` takes "assessment.approve"."""

    field: str
    template: str

    def resolve(self, data):
        value = data.get(self.field, "") if hasattr(data, "get") else ""
        return self.template.format(value)


def declared_action(actions, method, data):
    """The action a request takes under a declaration, or None if the method is not declared."""
    action = actions.get("GET" if method == "HEAD" else method)
    if isinstance(action, StepFromField):
        action = action.resolve(data)
    return action


def _wants_json(request):
    return "application/json" in request.headers.get("Accept", "")


def guard(scripts=False, **actions):
    """Declare the action of each HTTP method of a page view (GET="report.read", POST=...) and guard it.

    scripts=True: the page's own scripts call it too, and a signed-out one asking for JSON gets a 401
    it can show instead of the sign-in page.
    """
    for action in actions.values():
        if not isinstance(action, StepFromField) and action not in TABLE:
            raise LookupError(f"The policy has no action {action!r}.")

    def decorate(view):
        @wraps(view)
        def guarded(request, *args, **kwargs):
            action = declared_action(actions, request.method, request.POST)
            if action is None:
                return HttpResponseNotAllowed(sorted(actions))
            if action in TABLE and not may_ever(request.user, action):
                if not request.user.is_authenticated:
                    if scripts and _wants_json(request):
                        message = _("You are signed out: sign in again, then retry.")
                        return JsonResponse(error_body("signed_out", message), status=401)
                    return redirect_to_login(request.get_full_path())
                if not TABLE[action].about_an_object:
                    raise PermissionDenied
            return view(request, *args, **kwargs)

        guarded.policy_actions = actions
        return guarded

    return decorate


class FollowsPolicy(BasePermission):
    """DRF's side of the guard: API views declare `policy_actions = {"GET": ..., "POST": ...}`."""

    message = None  # the error handler words the refusal in the request's language

    def has_permission(self, request, view):
        actions = getattr(view, "policy_actions", None)
        if actions is None:
            raise LookupError(f"{type(view).__name__} declares no policy_actions.")
        declared = actions.get(request.method)
        # The body is read only when it names the action: a refusal never waits on parsing an upload.
        action = declared_action(actions, request.method, request.data if isinstance(declared, StepFromField) else {})
        if action is None:
            # DRF answers 405 for a method the view has no handler for; a handler without a declared
            # action is refused (and fails the generated authorization tests).
            return not hasattr(view, request.method.lower())
        if action not in TABLE or may_ever(request.user, action):
            return True
        if not request.user.is_authenticated:
            raise NotAuthenticated
        return TABLE[action].about_an_object  # the view answers 404 or 403 for the object
