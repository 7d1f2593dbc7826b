"""Write a checklist version as one JSON document in the shared format (see ims.checklists.exchange)."""

import json

from django.core.management.base import BaseCommand, CommandError

from ims.checklists.exchange import export_version
from ims.checklists.models import ChecklistVersion


class Command(BaseCommand):
    help = "Print a checklist version as JSON in the shared format: manage.py export_checklist 2026.1 > 2026.1.json"

    def add_arguments(self, parser):
        parser.add_argument("version", help="the version's code, e.g. 2026.1")

    def handle(self, *args, version, **options):
        stored = ChecklistVersion.objects.filter(code=version).first()
        if stored is None:
            known = ", ".join(ChecklistVersion.objects.values_list("code", flat=True)) or "none"
            raise CommandError(f"No checklist version {version!r}; the versions are: {known}")
        self.stdout.write(json.dumps(export_version(stored), ensure_ascii=False, indent=2))
