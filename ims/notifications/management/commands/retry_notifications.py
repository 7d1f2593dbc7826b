from django.core.management.base import BaseCommand

from ims.notifications import outbox
from ims.notifications.models import Notice, Notification
from ims.notifications.tasks import notify_report_published, send_notices


class Command(BaseCommand):
    help = (
        "Queue the notification task again for every report revision with an email that failed or whose "
        f"sending was interrupted (the scheduler runs it hourly); an email is tried {outbox.MAX_ATTEMPTS} times "
        "at most."
    )

    def handle(self, *args, **options):
        revision_ids = (
            Notification.objects.filter(channel=Notification.Channel.EMAIL)
            .filter(outbox.retryable())
            .values_list("revision_id", flat=True)
            .distinct()
            .order_by("revision_id")
        )
        for revision_id in revision_ids:
            notify_report_published.enqueue(revision_id)
        self.stdout.write(f"Queued {len(revision_ids)} report revision(s) for another try.")
        # Digest notices wait for the next digest, which takes failed ones too.
        retried = Notice.objects.filter(digest=False).filter(outbox.retryable()).count()
        if retried:
            send_notices.enqueue()
            self.stdout.write(f"Queued {retried} notification(s) to users for another try.")
