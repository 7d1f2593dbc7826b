from django.core.management.base import BaseCommand

from ims.operations.storage import prepare


class Command(BaseCommand):
    help = "Create the media bucket (private) or folder if it does not exist yet; `deploy/ims migrate` runs it."

    def handle(self, *args, **options):
        self.stdout.write(prepare())
