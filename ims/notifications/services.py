"""Telling factory contacts that a report is published: email where they read it, else a letter by post.

Each (revision, contact) gets one Notification, an outbox record (ims.notifications.outbox). Sending is
idempotent: running again for the same revision sends only what is still queued or failed, so a
failed email is retried then, and one whose sending was interrupted once its claim is void.
"""

import logging
from collections import Counter
from collections.abc import Iterable

from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ims import policy
from ims.accounts.models import User
from ims.assessments.models import ReportRevision
from ims.audit.models import record
from ims.core.errors import Invalid
from ims.notifications import outbox
from ims.notifications.messages import render_email
from ims.notifications.models import Notification

logger = logging.getLogger(__name__)

Channel = Notification.Channel
Status = Notification.Status


def notify_contacts(revision_id: int) -> dict[str, int]:
    """Create the notifications of one revision and send the emails not yet sent; returns what happened."""
    revision = ReportRevision.objects.select_related("assessment__factory").get(pk=revision_id)
    outcome: Counter[str] = Counter()
    for contact in revision.assessment.factory.contacts.all():
        notification, created = Notification.objects.get_or_create(
            revision=revision,
            contact=contact,
            defaults={
                "channel": Channel.EMAIL if contact.has_email and contact.email else Channel.PAPER,
                "language": contact.preferred_language,
            },
        )
        if notification.channel == Channel.PAPER:
            outcome["paper"] += created
        elif notification.status in (Status.QUEUED, Status.FAILED):
            outcome[_send_email(notification)] += 1
    return {key: outcome[key] for key in ("sent", "failed", "paper")}


def _send_email(notification):
    def compose(claimed):
        subject, body = render_email(notification)
        headers = {
            "Content-Language": notification.language,
            "Message-ID": outbox.message_id("notification", notification.pk),
        }
        return EmailMessage(subject, body, to=[notification.contact.email], headers=headers)

    return outbox.deliver(Notification.objects.filter(pk=notification.pk), compose)


def paper_queue() -> QuerySet[Notification]:
    """Letters waiting to be printed and posted, factory by factory."""
    return (
        Notification.objects.filter(channel=Channel.PAPER, status=Status.QUEUED)
        .select_related("contact__factory__province", "contact__factory__district", "revision__assessment")
        .order_by("contact__factory__name_en", "contact__factory_id", "contact__name", "pk")
    )


@transaction.atomic
def mark_posted(notification_ids: Iterable[int], actor: User) -> list[Notification]:
    """Record that these letters went into the post; letters already marked are left as they are."""
    policy.require(actor, "paper.handle", message=_("Only programme staff can handle paper copies."))
    letters = list(
        Notification.objects.select_for_update(of=("self",))
        .select_related("contact__factory")
        .filter(pk__in=notification_ids, channel=Channel.PAPER, status=Status.QUEUED)
    )
    if not letters:
        raise Invalid(_("Select at least one letter that is still waiting to be posted."))
    now = timezone.now()
    for letter in letters:
        letter.status, letter.posted_at, letter.posted_by = Status.POSTED, now, actor
        letter.save(update_fields=["status", "posted_at", "posted_by"])
        record(actor, "notification.posted", letter, factory=letter.contact.factory,
               revision=letter.revision_id, contact=letter.contact_id, language=letter.language)  # fmt: skip
    return letters
