"""The one way IMS sends email: from per-recipient records checked and claimed before sending.

Every email stands for rows of an outbox model (a Notification per revision and contact, Reminder
rows per contact and day) with a status. `deliver` claims the rows still queued or failed, sends one
message, and marks them sent or failed, so:

- at most once: a row marked sent is never sent again, and a row claimed by a live process is left
  alone by every other;
- at least once: a claim is void once its process is known dead (its worker heartbeat went silent)
  or after SENDING_LEASE, and the task that sends is taken up again when its worker dies, or the
  scheduler's hourly retry queues it again.

One gap no mail system closes: a worker that dies after the server accepted the message and before
the row is marked sent. Then the message goes again, with the same Message-ID, which mail stores
use to show it once.
"""

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

# Far longer than one SMTP exchange may take (its timeout is 30 seconds): a claim older than this
# belongs to a process that died, even one that never wrote a heartbeat.
SENDING_LEASE = timedelta(minutes=15)
QUEUED, SENT, FAILED = "queued", "sent", "failed"


class OutboxRecord(models.Model):
    """The claim fields of an outbox row; the model keeps its own status (queued, sent, failed, ...)."""

    claim = models.UUIDField(null=True, blank=True, editable=False)
    sending_since = models.DateTimeField(_("sending since"), null=True, blank=True, editable=False)
    # The worker process sending it: when its heartbeat stops, the claim is void.
    sending_by = models.CharField(_("sending process"), max_length=64, blank=True, editable=False)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    error = models.TextField(_("error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        abstract = True


def claimable(now=None):
    """Rows that may be sent now: queued or failed, and not claimed by a process still alive."""
    from ims.operations.workers import silent_process_ids

    now = now or timezone.now()
    unclaimed = Q(sending_since__isnull=True) | Q(sending_since__lt=now - SENDING_LEASE)
    return Q(status__in=(QUEUED, FAILED)) & (unclaimed | Q(sending_by__in=list(silent_process_ids(now))))


def interrupted(now=None):
    """Rows whose sending was cut short: claimed by a process known dead, or long ago."""
    from ims.operations.workers import silent_process_ids

    now = now or timezone.now()
    return Q(status=QUEUED, sending_since__isnull=False) & (
        Q(sending_since__lt=now - SENDING_LEASE) | Q(sending_by__in=list(silent_process_ids(now)))
    )


def message_id(kind, key):
    """The same Message-ID for every attempt at the same email."""
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "localhost"
    return f"<ims.{kind}.{key}@{domain}>"


def deliver(records, compose):
    """Claim `records` that may be sent and send them as one email built by compose(claimed rows).

    Returns "sent", "failed" or "skipped" (nothing left to send, or another process is sending it).
    """
    from ims.operations.workers import current_process_id

    token, now = uuid.uuid4(), timezone.now()
    claimed = records.filter(claimable(now)).update(
        claim=token, sending_since=now, sending_by=current_process_id() or "", attempts=F("attempts") + 1
    )
    if not claimed:
        return "skipped"
    mine = records.model.objects.filter(claim=token)
    try:
        compose(mine).send()
    except Exception as error:  # any failure (server down, refused address) is kept and retried later
        logger.warning("%s %s not sent: %s", records.model.__name__, list(mine.values_list("pk", flat=True)), error)
        mine.update(status=FAILED, error=f"{type(error).__name__}: {error}", sending_since=None, sending_by="")
        return "failed"
    mine.update(status=SENT, sent_at=timezone.now(), error="", sending_since=None, sending_by="")
    return "sent"
