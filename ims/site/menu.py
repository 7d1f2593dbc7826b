"""The site's main menu: each entry opens a page, and is shown only to users the policy lets open it.

The action of an entry is the one its page declares for GET (a test checks they agree).
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ims import policy


@dataclass(frozen=True)
class Entry:
    url_name: str
    label: str | Promise  # translated when shown
    action: str

    @property
    def url(self):
        return reverse(self.url_name)


MENU = (
    Entry("accounts:start", _("What needs me"), "account.own"),  # with its count (ims.people.start)
    Entry("checklists:index", _("Checklist"), "public.read"),
    Entry("goodpractice:index", _("Good practice"), "public.read"),
    Entry("training:catalogue", _("Training"), "public.read"),
    Entry("factories:directory", _("Factories"), "public.read"),
    Entry("analytics:statistics", _("Statistics"), "public.read"),
    Entry("analytics:dashboards", _("Dashboards"), "dashboards.open"),
    Entry("assessments:mine", _("Assessments"), "workspace.open"),
    Entry("capture:index", _("Offline capture"), "capture.open"),
    Entry("reports:index", _("Reports"), "reports.open"),
    Entry("grants:grants", _("Buyer access"), "grants.open"),
    Entry("training:mine", _("Training record"), "training.records_open"),
    Entry("remediation:index", _("Remediation"), "remediation.open"),
    Entry("advisory:index", _("Advisory services"), "advisory.open"),
    Entry("voice:index", _("Worker voice"), "voice.open"),
    Entry("planning:visits", _("Visit planning"), "planning.risk"),
    Entry("accounts:invitations", _("Invitations"), "invitations.open"),
    Entry("accounts:access_requests", _("Access requests"), "access_requests.open"),
    Entry("notifications:paper_queue", _("Paper copies"), "paper.handle"),
    Entry("audit:log", _("Audit log"), "audit.read"),
    Entry("admin:index", _("Administration"), "admin.site"),
)


def menu_for(user):
    return [entry for entry in MENU if policy.may_ever(user, entry.action)]
