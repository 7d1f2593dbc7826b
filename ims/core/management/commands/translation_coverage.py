from django.core.management.base import BaseCommand, CommandError

from ims.core.catalogs import catalog_coverage
from ims.core.i18n import TARGET_LANGUAGES
from ims.core.translated import content_coverage


def _percent(part, whole):
    # Nothing to count (no catalog, no content loaded) is no coverage, not full coverage.
    return 100.0 * part / whole if whole else 0.0


class Command(BaseCommand):
    help = "Print translation coverage per language: content (with review status) and interface catalogs."

    def add_arguments(self, parser):
        parser.add_argument(
            "--fail-under", type=float, default=None,
            help="Exit with an error if any language's coverage is below this percentage.",
        )  # fmt: skip

    def handle(self, *args, fail_under, **options):
        rows = content_coverage()
        self.stdout.write("Content translations")
        header = (
            f"{'content':<28}{'language':<10}{'items':>7}{'reviewed':>10}{'draft':>7}{'missing':>9}{'translated':>12}"
        )
        self.stdout.write(header)
        for row in rows:
            translated = row["reviewed"] + row["draft"]
            self.stdout.write(
                f"{row['content']:<28}{row['language']:<10}{row['items']:>7}{row['reviewed']:>10}"
                f"{row['draft']:>7}{row['missing']:>9}{_percent(translated, row['items']):>11.1f}%"
            )
        self.stdout.write("")
        self.stdout.write("Interface catalogs")
        catalogs = catalog_coverage()
        for catalog in catalogs:
            self.stdout.write(
                f"{catalog.path:<40}{catalog.translated:>6}/{catalog.messages:<6}"
                f"{_percent(catalog.translated, catalog.messages):>7.1f}%  {catalog.fuzzy} fuzzy"
            )
        self.stdout.write("")
        lowest = 100.0
        for language in TARGET_LANGUAGES:
            items = sum(row["items"] for row in rows if row["language"] == language)
            done = sum(row["reviewed"] + row["draft"] for row in rows if row["language"] == language)
            reviewed = sum(row["reviewed"] for row in rows if row["language"] == language)
            messages = sum(c.messages for c in catalogs if c.language == language)
            translated = sum(c.translated for c in catalogs if c.language == language)
            content_share, interface_share = _percent(done, items), _percent(translated, messages)
            lowest = min(lowest, content_share, interface_share)
            self.stdout.write(
                f"{language}: content {content_share:.1f}% translated ({_percent(reviewed, items):.1f}% reviewed), "
                f"interface {interface_share:.1f}% translated"
            )
        if fail_under is not None and lowest < fail_under:
            raise CommandError(f"Translation coverage {lowest:.1f}% is below {fail_under:.1f}%.")
