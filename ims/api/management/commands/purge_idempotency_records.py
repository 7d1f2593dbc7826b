from django.core.management.base import BaseCommand

from ims.api.idempotency import KEY_LIFETIME, purge_expired


class Command(BaseCommand):
    help = "Delete API idempotency records older than their 24-hour lifetime."

    def handle(self, *args, **options):
        deleted = purge_expired()
        self.stdout.write(f"Deleted {deleted} idempotency records older than {KEY_LIFETIME}.")
