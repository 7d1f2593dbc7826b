"""Telling users what needs them: a notice per event and recipient, in the app and by email.

Which events tell whom is ims.people.announcements; each event becomes one Notice per recipient
(`announce`), written in the transaction of the change; the background worker emails it at once, or in the
recipient's daily digest, through the outbox (ims.notifications.outbox): once per event and recipient,
retried when the mail server fails.
"""

from dataclasses import dataclass

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ims.accounts.models import User
from ims.core.sentences import one_full_stop
from ims.notifications import outbox
from ims.notifications.messages import site_url
from ims.notifications.models import Notice


@dataclass(frozen=True)
class Event:
    text: str | Promise  # lazily translated, with %(factory)s, %(ref)s, %(revision)s, %(date)s
    label: str | Promise


EVENTS = {
    "submitted": Event(_("Draft %(ref)s of %(factory)s is submitted for your review."), _("Draft submitted")),
    "returned": Event(_("Draft %(ref)s of %(factory)s is returned to its team with comments."), _("Draft returned")),
    "published": Event(_("A report on %(factory)s is published: %(ref)s, revision %(revision)s."),
                       _("Report published")),
    "objection_filed": Event(_("%(factory)s objects to a finding of report %(ref)s."), _("Objection filed")),
    "ruling": Event(_("The programme ruled on an objection of %(factory)s to report %(ref)s."), _("Ruling")),
    "access_granted": Event(_("%(factory)s gives your organisation access to its reports."), _("Access granted")),
    "access_revoked": Event(_("%(factory)s ended your organisation's access to its reports."), _("Access revoked")),
    "access_expiring": Event(_("Your organisation's access to the reports of %(factory)s ends on %(date)s."),
                             _("Access ending")),
    "access_requested": Event(_("%(buyer)s asks to read the reports of %(factory)s."), _("Access requested")),
    "access_declined": Event(_("%(factory)s declined your organisation's request to read its reports."),
                             _("Access declined")),
    "action_overdue": Event(_("A corrective action of %(factory)s is overdue since %(date)s."), _("Action overdue")),
}  # fmt: skip


def text_of(notice):
    """The notice's sentence in the active language."""
    params = {**notice.params, "factory": notice.factory.display_name if notice.factory else ""}
    if "date" in params:
        params["date"] = date_format(timezone.datetime.fromisoformat(params["date"]).date(), "DATE_FORMAT")
    return one_full_stop(str(EVENTS[notice.event].text) % params)


def link_of(notice):
    """The page the notice is about, in the active language."""
    return reverse(notice.link_name, kwargs=notice.link_kwargs)


def announce(event, recipients, *, key, factory=None, link, params=None, actor=None):
    """One notice of `event` (named by `key`) to each recipient but the actor; none twice. Returns those created."""
    link_name, link_kwargs = link
    rows = [
        Notice(
            recipient=user,
            event=event,
            event_key=str(key),
            factory=factory,
            params=params or {},
            link_name=link_name,
            link_kwargs=link_kwargs,
            digest=user.notice_delivery == User.NoticeDelivery.DAILY,
        )
        for user in recipients
        if actor is None or user.pk != actor.pk
    ]
    if not rows:
        return []
    return Notice.objects.bulk_create(rows, ignore_conflicts=True)


# --- email --------------------------------------------------------------------------------------------------


def _email(recipient, notices, template):
    with translation.override(recipient.preferred_language):
        lines = [(text_of(notice), site_url() + link_of(notice)) for notice in notices]
        context = {"recipient": recipient, "lines": lines, "count": len(lines),
                   "profile_url": site_url() + reverse("accounts:profile"),
                   "notices_url": site_url() + reverse("notifications:notices")}  # fmt: skip
        subject = render_to_string(f"notifications/email/{template}_subject.txt", context)
        body = render_to_string(f"notifications/email/{template}_body.txt", context)
    return " ".join(subject.split()), body


def _deliver(recipient, rows, template):
    def compose(claimed):
        notices = list(claimed.select_related("factory").order_by("created_at", "pk"))
        subject, body = _email(recipient, notices, template)
        headers = {"Content-Language": recipient.preferred_language,
                   "Message-ID": outbox.message_id(f"notice.{template}", outbox.rows_key(claimed))}  # fmt: skip
        return EmailMessage(subject, body, to=[recipient.email], headers=headers)

    return outbox.deliver(rows, compose)


def send_immediate():
    """Email every notice waiting to go at once, one email each; returns how many went, failed or were skipped."""
    outcome = {"sent": 0, "failed": 0, "skipped": 0}
    waiting = Notice.objects.filter(digest=False).filter(outbox.claimable()).select_related("recipient")
    for notice in waiting.order_by("pk"):
        outcome[_deliver(notice.recipient, Notice.objects.filter(pk=notice.pk), "notice")] += 1
    return outcome


def send_digests():
    """One email per recipient with every notice of theirs waiting for the digest."""
    outcome = {"sent": 0, "failed": 0, "skipped": 0}
    waiting = Notice.objects.filter(digest=True).filter(outbox.claimable())
    for recipient in User.objects.filter(pk__in=waiting.values("recipient")).order_by("pk"):
        outcome[_deliver(recipient, waiting.filter(recipient=recipient), "digest")] += 1
    return outcome
