"""Background work: invitation emails tried again, and the notices of events and of the daily scan
(ims.people.announcements)."""

from crontask import cron
from django.tasks import task

from ims.notifications import outbox
from ims.notifications.notices import send_immediate
from ims.notifications.tasks import send_when_committed
from ims.people import announcements
from ims.people.invitations import send_invitation
from ims.people.models import Invitation


@cron("30 6 * * *")
@task
def announce_daily_events():
    """Daily at 06:30 (IMS_TIME_ZONE), before the digests: access ending within a week, actions now overdue."""
    announcements.announce_daily()
    return send_immediate()


@cron("37 * * * *")
@task
def retry_invitations():
    """Hourly: invitation emails that failed, or whose sending was interrupted, are tried again."""
    invitation_ids = list(Invitation.objects.filter(outbox.retryable()).order_by("pk").values_list("pk", flat=True))
    for invitation_id in invitation_ids:
        send_invitation.enqueue(invitation_id)
    return len(invitation_ids)


def on_report_published(sender, revision, **kwargs):
    send_when_committed(announcements.on_report_published(revision))


def on_audit_event(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        send_when_committed(announcements.on_audit_event(instance))
