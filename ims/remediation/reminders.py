"""Reminding a factory's contacts of overdue corrective actions, by email in each contact's language.

One email a day per contact lists the factory's overdue actions; a Reminder row per (action, contact,
day) makes sending idempotent: a second run on the same day sends only what is still queued or
failed, so a failed email is retried then and a sent one never goes twice.
"""

import logging
from collections import Counter

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from ims.audit.models import record
from ims.core.i18n import SOURCE_LANGUAGE
from ims.factories.models import Factory
from ims.notifications import outbox
from ims.notifications.messages import site_url
from ims.remediation.models import Reminder
from ims.remediation.services import overdue_items

logger = logging.getLogger(__name__)


def factories_with_overdue_actions(on):
    return Factory.objects.filter(pk__in=overdue_items(on).values("finding__assessment__factory_id")).order_by("pk")


def send_factory_reminders(factory_id, on):
    """Email each contact of the factory who reads email about its overdue actions; returns what happened."""
    factory = Factory.objects.get(pk=factory_id)
    items = list(
        overdue_items(on)
        .filter(finding__assessment__factory=factory)
        .select_related("finding__question")
        .order_by("due_date", "pk")
    )
    outcome = Counter()
    if items:
        for contact in factory.contacts.all():
            if contact.has_email and contact.email:
                outcome[_remind(factory, contact, items, on)] += 1
            else:
                outcome["no_email"] += 1
    return {key: outcome[key] for key in ("sent", "failed", "skipped", "no_email")}


def _remind(factory, contact, items, on):
    for item in items:
        Reminder.objects.get_or_create(
            item=item, contact=contact, sent_on=on, defaults={"language": contact.preferred_language}
        )
    sent = {}

    def compose(claimed):
        claimed_ids = set(claimed.values_list("item_id", flat=True))
        sent["items"] = [item for item in items if item.pk in claimed_ids]
        subject, body = render_reminder(factory, contact, sent["items"], on)
        headers = {
            "Content-Language": contact.preferred_language,
            # The same rows give the same Message-ID on every attempt; other rows (an action added
            # to today's list after a failure) another one.
            "Message-ID": outbox.message_id("reminder", f"{contact.pk}.{on.isoformat()}.{outbox.rows_key(claimed)}"),
        }
        return EmailMessage(subject, body, to=[contact.email], headers=headers)

    reminders = Reminder.objects.filter(contact=contact, sent_on=on, item__in=items)
    reminders.exclude(status=Reminder.Status.SENT).update(language=contact.preferred_language)
    outcome = outbox.deliver(reminders, compose)
    if outcome == "sent":
        record(None, "remediation.reminder_sent", contact, factory=factory, day=on.isoformat(),
               items=[item.pk for item in sent["items"]], language=contact.preferred_language)  # fmt: skip
    return outcome


def render_reminder(factory, contact, items, on):
    """The subject (one line) and plain-text body, in the contact's language."""
    language = contact.preferred_language
    with translation.override(language):
        context = {
            "contact": contact,
            "factory_name": factory.display_name,
            "actions": [
                {
                    "item": item,
                    "question_code": item.finding.question.code,
                    "question": item.finding.question.text_in("text", language)
                    or item.finding.question.text_in("text", SOURCE_LANGUAGE),
                    "days_overdue": (on - item.due_date).days,
                }
                for item in items
            ],
            "tracker_url": site_url() + reverse("remediation:factory", args=[factory.ref]),
        }
        subject = render_to_string("remediation/email/reminder_subject.txt", context)
        body = render_to_string("remediation/email/reminder_body.txt", context)
    return " ".join(subject.split()), body
