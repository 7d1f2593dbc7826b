"""Background work: the web request that publishes a report does not wait for the mail server."""

from django.tasks import task

from ims.notifications.services import notify_contacts
from ims.operations.queue import enqueue_with_change


@task
def notify_report_published(revision_id):
    return notify_contacts(revision_id)


def on_report_published(sender, revision, **kwargs):
    enqueue_with_change(notify_report_published, revision.pk)
