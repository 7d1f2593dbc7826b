from django.core.management.base import BaseCommand, CommandError

from ims.factories.models import Factory
from ims.readings.services import register_device


class Command(BaseCommand):
    help = "Register a readings device at a factory and print its token (shown this once)."

    def add_arguments(self, parser):
        parser.add_argument("factory", help="The factory's reference.")
        parser.add_argument("name", help="The device's name, e.g. 'Sewing floor 2, east'.")
        parser.add_argument("--location", default="")

    def handle(self, *args, factory, name, location, **options):
        found = Factory.objects.filter(ref=factory).first()
        if found is None:
            raise CommandError(f"No factory {factory!r}.")
        device, token = register_device(found, name, location)
        self.stdout.write(f"device {device.pk} at {found.ref}: token {token}")
