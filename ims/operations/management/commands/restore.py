from django.core.management.base import BaseCommand, CommandError

from ims.operations.backup import BackupRefused, restore, verify


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into an empty database and media storage. The whole "
        "backup is checked against its manifest first: a damaged or incomplete one is refused untouched."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="the backup folder")
        parser.add_argument("--check", action="store_true", help="only check the backup against its manifest")

    def handle(self, *args, directory, check, **options):
        try:
            if check:
                manifest = verify(directory)
                self.stdout.write(f"The backup is complete: {len(manifest['files'])} file(s) match the manifest.")
                return
            manifest = restore(directory, progress=self.stdout.write)
        except BackupRefused as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored {len(manifest['files'])} file(s) from {directory}.")
