"""Django's administration site, opened to whom the policy's "admin.site" rule admits.

Inside, Django's own model permissions still decide which tables each account may change.
"""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse

from ims import policy


class AdminSite(admin.AdminSite):
    policy_action = "admin.site"
    # Signing in to and out of the administration site is open to anyone, as on the rest of the site.
    open_views = {"login": {"GET": "public.read", "POST": "public.read"}, "logout": {"POST": "public.read"}}

    def has_permission(self, request):
        return policy.allows(request.user, self.policy_action)

    def login(self, request, extra_context=None):
        """The site's one sign-in, with its throttling and second factor, rather than the admin's own form."""
        return redirect_to_login(request.GET.get("next") or reverse("admin:index", current_app=self.name))
