"""Reminding a factory's contacts of overdue corrective actions, by email in each contact's language.

One email a day per contact lists the factory's overdue actions; a Reminder row per (action, contact,
day) makes sending idempotent: a second run on the same day sends only what is still queued or
failed, so a failed email is retried then and a sent one never goes twice.
"""

import logging
import uuid
from collections import Counter
from datetime import timedelta

from django.core.mail import EmailMessage
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from ims.audit.models import record
from ims.core.i18n import SOURCE_LANGUAGE
from ims.factories.models import Factory
from ims.notifications.messages import site_url
from ims.remediation.models import Reminder
from ims.remediation.services import overdue_items

logger = logging.getLogger(__name__)

# Far longer than one SMTP exchange may take: an older claim belongs to a worker that died mid-send.
SENDING_LEASE = timedelta(minutes=15)
Status = Reminder.Status


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
    token, now = uuid.uuid4(), timezone.now()
    claimed = (
        Reminder.objects.filter(contact=contact, sent_on=on, item__in=items, status__in=(Status.QUEUED, Status.FAILED))
        .filter(Q(sending_since__isnull=True) | Q(sending_since__lt=now - SENDING_LEASE))
        .update(claim=token, sending_since=now, attempts=F("attempts") + 1, language=contact.preferred_language)
    )
    if not claimed:
        return "skipped"
    reminders = Reminder.objects.filter(claim=token)
    claimed_ids = set(reminders.values_list("item_id", flat=True))
    claimed_items = [item for item in items if item.pk in claimed_ids]
    try:
        subject, body = render_reminder(factory, contact, claimed_items, on)
        EmailMessage(subject, body, to=[contact.email], headers={"Content-Language": contact.preferred_language}).send()
    except Exception as error:  # any failure (server down, refused address) is kept and retried on the next run
        logger.warning("Remediation reminder to contact %s not sent: %s", contact.pk, error)
        reminders.update(status=Status.FAILED, error=f"{type(error).__name__}: {error}", sending_since=None)
        return "failed"
    reminders.update(status=Status.SENT, sent_at=timezone.now(), error="", sending_since=None)
    record(None, "remediation.reminder_sent", contact, factory=factory, day=on.isoformat(),
           items=[item.pk for item in claimed_items], language=contact.preferred_language)  # fmt: skip
    return "sent"


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
