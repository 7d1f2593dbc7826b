"""Who may see and do what: the one place IMS decides it.

Everything asks here: pages and API endpoints (`guard`, `FollowsPolicy`), file downloads, menus,
queryset scopes (`scope`, `get_or_404`) and services (`require`). The rules themselves are a
declared table, role x action x object state, in ims.policy.table; docs/policy.md prints it.

    policy.allows(user, "report.read", assessment)          # one object
    policy.scope(user, "report.read", Assessment.objects)   # the rows the user may act on
    policy.scope(user, "objection.read", Objection.objects, via="finding__assessment")
    policy.require(actor, "assessment.approve", assessment)  # raises NotAllowed (403)
"""

from functools import reduce
from operator import or_

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from ims.core.errors import NotAllowed
from ims.policy.rules import HasRole
from ims.policy.second_factor import asks_for_second_factor, second_factor_required
from ims.policy.subjects import (
    buyer_organisations,
    grant_is_in_force,
    grants_in_force,
    roles_of,
    users_holding,
)
from ims.policy.table import TABLE

__all__ = [
    "allows",
    "asks_for_second_factor",
    "buyer_organisations",
    "get_or_404",
    "grant_is_in_force",
    "grants_in_force",
    "may_ever",
    "require",
    "roles_of",
    "rule",
    "scope",
    "second_factor_required",
    "states_allowing",
    "states_for",
    "users_who_may",
]


def rule(action):
    try:
        return TABLE[action]
    except KeyError:
        raise LookupError(f"The policy has no action {action!r}: declare it in ims/policy/table.py.") from None


def allows(user, action, target=None, *, state=None):
    """May this user take this action on this object (in its current state, or the state given)?"""
    declared = rule(action)
    if declared.about_an_object and target is None:
        raise TypeError(f"{action} is about a {declared.kind.name}: say which one.")
    if state is None and target is not None:
        state = declared.kind.state_of(target)
    return any(allow.admits(state) and allow.relation.holds(user, declared.kind, target) for allow in declared.allow)


def states_for(user, action, target):
    """The states in which the user may take the action on this object (each tie to it read once)."""
    declared = rule(action)
    allowed = set()
    for allow in declared.allow:
        if allow.relation.holds(user, declared.kind, target):
            allowed |= set(declared.kind.states) if allow.states is None else allow.states
    return frozenset(allowed)


def require(user, action, target=None, *, state=None, message=None):
    """Refuse with NotAllowed (403, the message shown to the user) unless the policy allows it."""
    if not allows(user, action, target, state=state):
        raise NotAllowed(message or _("You are not allowed to do this."))


def scope(user, action, queryset, *, via=""):
    """The rows of a queryset of the action's kind (or reaching it through `via`) the user may act on."""
    declared = rule(action)
    kind = declared.kind
    prefix = f"{via}__" if via else ""
    queryset = queryset.all()
    conditions = []
    for allow in declared.allow:
        condition = allow.relation.rows(user, kind, prefix, queryset.model)
        if condition is None:
            continue
        if allow.states is not None:
            if kind.state is None:
                raise TypeError(f"{action}: a {kind.name}'s state is told by the caller, not stored; use allows().")
            condition &= _state_in(prefix + kind.state, allow.states)
        conditions.append(condition)
    if not conditions:
        return queryset.none()
    return queryset.filter(reduce(or_, conditions))


def _state_in(lookup, states):
    return Q(**{f"{lookup}__in": sorted(states)})


def get_or_404(user, action, queryset, *, via="", **lookup):
    """The object if the user may take the action on it; 404 otherwise, so that nobody learns it exists."""
    return get_object_or_404(scope(user, action, queryset, via=via), **lookup)


def states_allowing(action):
    """The states in which someone may take the action (a workflow step's starting states)."""
    declared = rule(action)
    if any(allow.states is None for allow in declared.allow):
        return frozenset(declared.kind.states)
    return frozenset().union(*(allow.states for allow in declared.allow))


def may_ever(user, action):
    """Whether the user holds a role that could allow the action on some object (menus and early refusals)."""
    declared = rule(action)
    return any(allow.relation.could_hold(user) for allow in declared.allow)


def users_who_may(action):
    """The users whose roles allow an action about no object (e.g. who may be named a session's trainer)."""
    declared = rule(action)
    if declared.about_an_object or not all(isinstance(allow.relation, HasRole) for allow in declared.allow):
        raise TypeError(f"{action}: only actions granted by role alone name their users.")
    return users_holding(set().union(*(allow.relation.roles for allow in declared.allow)))
