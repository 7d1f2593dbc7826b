from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ims.checklists.content import ContentError
from ims.checklists.loading import load_checklist
from ims.checklists.models import ChecklistFrozen
from ims.factories.loading import load_geography
from ims.goodpractice.loading import load_sheets
from ims.training.catalogue import load_catalogue


class Command(BaseCommand):
    help = (
        "Load the content kept in the repository (gazetteer, good practice sheets, checklist versions, "
        "training catalogue). "
        "All-or-nothing; unchanged files write nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--content-dir", default=str(settings.BASE_DIR / "content"))

    def handle(self, *args, content_dir, **options):
        root = Path(content_dir)
        try:
            with transaction.atomic():
                places = load_geography(root / "geography" / "cambodia.json")
                self.stdout.write(f"gazetteer: {places} provinces and districts written")
                sheets = load_sheets(root / "good_practice")
                self.stdout.write(f"good practice sheets: {sheets} written")
                for directory in sorted(path for path in (root / "checklist").iterdir() if path.is_dir()):
                    result = load_checklist(directory)
                    self.stdout.write(
                        f"checklist {result.version.code}: {result.written} items written, {result.removed} removed"
                    )
                programmes = load_catalogue(root / "training" / "catalogue.json")
                self.stdout.write(f"training catalogue: {programmes} programmes and modules written")
        except (ContentError, ChecklistFrozen, ValueError, OSError) as error:
            raise CommandError(str(error)) from error
