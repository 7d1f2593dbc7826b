"""Django's administration site, opened to whom the policy's "admin.site" rule admits.

Inside, Django's own model permissions still decide which tables each account may change.
"""

from django.contrib import admin

from ims import policy


class AdminSite(admin.AdminSite):
    policy_action = "admin.site"
    # Signing in to and out of the administration site is open to anyone, as on the rest of the site.
    open_views = {"login": {"GET": "public.read", "POST": "public.read"}, "logout": {"POST": "public.read"}}

    def has_permission(self, request):
        return policy.allows(request.user, self.policy_action)
