from django.core.management.base import BaseCommand, CommandError

from ims.operations.backup import BackupRefused, back_up


class Command(BaseCommand):
    help = (
        "Back up the database and every media file (photos, report PDFs) into a new folder, "
        "with a manifest of their SHA-256 hashes written last."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="a new or empty folder")

    def handle(self, *args, directory, **options):
        try:
            manifest = back_up(directory, progress=self.stdout.write)
        except BackupRefused as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Backed up {len(manifest['files'])} file(s) into {directory}.")
