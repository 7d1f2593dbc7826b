from django.core.management.base import BaseCommand
from django.db.models import Q

from ims.notifications import outbox
from ims.notifications.models import Notification
from ims.notifications.tasks import notify_report_published


class Command(BaseCommand):
    help = (
        "Queue the notification task again for every report revision with an email that failed or whose "
        "sending was interrupted (the scheduler runs it hourly)."
    )

    def handle(self, *args, **options):
        revision_ids = (
            Notification.objects.filter(channel=Notification.Channel.EMAIL)
            .filter(Q(status=Notification.Status.FAILED) | outbox.interrupted())
            .values_list("revision_id", flat=True)
            .distinct()
            .order_by("revision_id")
        )
        for revision_id in revision_ids:
            notify_report_published.enqueue(revision_id)
        self.stdout.write(f"Queued {len(revision_ids)} report revision(s) for another try.")
