"""The one way IMS sends email: from per-recipient records checked and claimed before sending.

Every email stands for rows of an outbox model (ims.notifications.models.OutboxRecord: a Notification
per revision and contact, Reminder rows per contact and day) with a status. `deliver` claims the rows
still queued or failed, sends one message, and marks them sent or failed, so:

- at most once, but for one gap: a row marked sent is never sent again, and a row claimed by a live
  process is left alone by every other;
- at least once, within MAX_ATTEMPTS: a claim is void as soon as the worker that holds it is not
  alive (its heartbeat went silent, or it signed off when it stopped), and after SENDING_LEASE
  whoever holds it; the task that sends is taken up again when its worker dies, and the scheduler's
  hourly retry queues failed and interrupted notification emails again. After MAX_ATTEMPTS a row
  stays failed (logged as an error): a refused address is not tried every hour for ever.

The gap no mail system closes: a worker that dies after the server accepted the message and before
the row is marked sent. Then the message goes again, with the same Message-ID, which mail stores
use to show it once.
"""

import hashlib
import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from ims.operations.models import Heartbeat
from ims.operations.workers import alive, current_process_id

logger = logging.getLogger(__name__)

# Far longer than one SMTP exchange may take (its timeout is 30 seconds): a claim older than this
# belongs to a process that died, even one that writes no heartbeat (a web process, a command).
SENDING_LEASE = timedelta(minutes=15)
# The first try and five hourly retries: then the address or the message is at fault, not the server.
MAX_ATTEMPTS = 6
QUEUED, SENT, FAILED = "queued", "sent", "failed"


def _claim_void(now):
    """No claim, or one nobody holds any more: older than the lease, or made by a worker not alive now."""
    live_workers = alive(Heartbeat.Role.WORKER, now).values("process_id")
    return (
        Q(sending_since__isnull=True)
        | Q(sending_since__lt=now - SENDING_LEASE)
        | (~Q(sending_by="") & ~Q(sending_by__in=live_workers))
    )


def claimable(now=None):
    """Rows that may be sent now: queued or failed, with attempts left, and not claimed by a live process."""
    now = now or timezone.now()
    return Q(status__in=(QUEUED, FAILED), attempts__lt=MAX_ATTEMPTS) & _claim_void(now)


def retryable(now=None):
    """Rows to try again: failed, or queued with a claim that its process did not see through."""
    now = now or timezone.now()
    tried = Q(status=FAILED) | Q(status=QUEUED, sending_since__isnull=False)
    return tried & Q(attempts__lt=MAX_ATTEMPTS) & _claim_void(now)


def message_id(kind, key):
    """The same Message-ID for every attempt at the same email."""
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "localhost"
    return f"<ims.{kind}.{key}@{domain}>"


def rows_key(rows):
    """A short key naming exactly these rows: emails about other rows get another Message-ID."""
    ids = ",".join(str(pk) for pk in sorted(rows.values_list("pk", flat=True)))
    return hashlib.sha256(ids.encode()).hexdigest()[:16]


def deliver(records, compose):
    """Claim `records` that may be sent and send them as one email built by compose(claimed rows).

    Returns "sent", "failed" or "skipped" (nothing left to send, or another process is sending it).
    """
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
        name, ids = records.model.__name__, list(mine.values_list("pk", flat=True))
        logger.warning("%s %s not sent: %s", name, ids, error)
        mine.update(status=FAILED, error=f"{type(error).__name__}: {error}", sending_since=None, sending_by="")
        given_up = list(mine.filter(attempts__gte=MAX_ATTEMPTS).values_list("pk", flat=True))
        if given_up:
            logger.error("%s %s failed %d times and will not be tried again: %s", name, given_up, MAX_ATTEMPTS, error)
        return "failed"
    mine.update(status=SENT, sent_at=timezone.now(), error="", sending_since=None, sending_by="")
    return "sent"
