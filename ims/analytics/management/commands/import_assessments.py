from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ims import policy
from ims.accounts.models import User
from ims.analytics.importing import import_assessments_file


class Command(BaseCommand):
    help = "Import historical assessments from a JSON Lines file (format: docs/domain.md; all-or-nothing, idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--actor", required=True, help="Email of the programme user recorded as importer.")

    def handle(self, *args, path, actor, **options):
        user = User.objects.filter(email__iexact=actor).first()
        if user is None or not policy.allows(user, "assessments.import"):
            raise CommandError(f"{actor} may not import assessments: the programme head or an administrator may.")
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        try:
            result = import_assessments_file(path, user)
        except UnicodeDecodeError as error:
            raise CommandError(f"{path} is not UTF-8 text (byte {error.start}).") from error
        if not result.ok:
            for problem in result.errors:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(result.errors)} errors: nothing was imported.")
        self.stdout.write(
            f"created {result.created} assessments ({result.findings} findings), unchanged {result.unchanged}; "
            f"statistics refreshed for {', '.join(map(str, result.years)) or 'no year'}"
        )
