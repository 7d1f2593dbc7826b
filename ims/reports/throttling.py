"""How many PDFs visitors who are not signed in may have typeset on demand.

A published revision's documents are typeset once, when it is approved, and kept; one that is missing (a new
language, a damaged file, a store wiped and not yet re-rendered) is typeset when first asked for, about half
a second of CPU each. Anyone could otherwise ask for every revision in every language at once. Signed-in users
are not counted; stored documents cost nothing and are never refused. The counts live in the shared cache
(so every app server counts together), per client address as DRF reads it, and for all visitors together,
since addresses are cheap to change.
"""

from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle

from ims.api.throttling import LiveRates


class TypesettingPerAddress(LiveRates, AnonRateThrottle):
    scope = "anon_typesetting"


class TypesettingForAllVisitors(LiveRates, SimpleRateThrottle):
    scope = "anon_typesetting_total"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": "all"}


def typesetting_allowed(request):
    return all(
        throttle().allow_request(request, None) for throttle in (TypesettingPerAddress, TypesettingForAllVisitors)
    )
