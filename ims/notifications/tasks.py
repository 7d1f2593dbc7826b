"""Background work: the web request that publishes a report does not wait for the mail server."""

from crontask import cron
from django.tasks import task

from ims.notifications import notices
from ims.notifications.services import notify_contacts
from ims.operations.queue import enqueue_once_with_change, enqueue_with_change


@task
def notify_report_published(revision_id):
    return notify_contacts(revision_id)


@task
def send_notices():
    """Email the notices waiting to go at once (one task stands for any number of them)."""
    return notices.send_immediate()


@cron("0 7 * * *")
@task
def send_notice_digests():
    """Daily at 07:00 (IMS_TIME_ZONE): one email per person who asked for a digest."""
    return notices.send_digests()


def send_when_committed(created):
    """Once the transaction that wrote them commits, email the created notices that go at once."""
    if any(not notice.digest for notice in created):
        enqueue_once_with_change(send_notices)


def on_report_published(sender, revision, **kwargs):
    enqueue_with_change(notify_report_published, revision.pk)
