import time

from django.core.management.base import BaseCommand

from ims.analytics.aggregates import rebuild_all


class Command(BaseCommand):
    help = "Rebuild every pre-computed analytics table from the published report snapshots."

    def handle(self, *args, **options):
        started = time.perf_counter()
        count = rebuild_all()
        self.stdout.write(f"{count} published visits counted in {time.perf_counter() - started:.1f}s")
