from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ims.factories.importing import import_factories, read_csv


class Command(BaseCommand):
    help = "Import factories from a CSV file in the format of docs/domain.md (all-or-nothing, idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path, **options):
        try:
            result = import_factories(read_csv(path.read_bytes()))
        except (OSError, ValueError) as error:
            raise CommandError(str(error)) from error
        if not result.ok:
            for problem in result.errors:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(result.errors)} errors: nothing was imported.")
        self.stdout.write(f"created {result.created}, updated {result.updated}, unchanged {result.unchanged}")
