from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from tqdm import tqdm

from ims.assessments.models import PUBLISHED_STATUSES, ReportRevision
from ims.reports.models import RenderedReport
from ims.reports.rendering import KINDS, LANGUAGES, intact, render_revision

DOCUMENTS_PER_REVISION = len(KINDS) * len(LANGUAGES)


class Command(BaseCommand):
    help = (
        "Render the PDF documents of published report revisions: by default those missing any document, "
        "with --verify also those whose stored files are missing or damaged, with --assessment every revision "
        "of one assessment, with --all every revision."
    )

    def add_arguments(self, parser):
        parser.add_argument("--assessment", metavar="REF", help="re-render every revision of this assessment")
        parser.add_argument("--all", action="store_true", help="re-render every published revision")
        parser.add_argument(
            "--verify", action="store_true", help="also re-render revisions whose files are missing or damaged"
        )

    def handle(self, *args, **options):
        revisions = (
            ReportRevision.objects.filter(assessment__status__in=PUBLISHED_STATUSES)
            .select_related("assessment__factory")
            .order_by("assessment__ref", "number")
        )
        if options["assessment"]:
            revisions = revisions.filter(assessment__ref=options["assessment"])
            if not revisions.exists():
                raise CommandError(f"No published assessment {options['assessment']}.")
        elif not options["all"]:
            complete = RenderedReport.objects.values("revision").order_by()
            complete = complete.annotate(documents=Count("pk")).filter(documents=DOCUMENTS_PER_REVISION)
            if not options["verify"]:
                revisions = revisions.exclude(pk__in=complete.values("revision"))
        revisions = list(revisions)
        if options["verify"] and not options["all"]:
            revisions = [revision for revision in revisions if not intact(revision)]
        with tqdm(total=len(revisions) * DOCUMENTS_PER_REVISION, unit="pdf", file=self.stderr) as bar:
            for revision in revisions:
                bar.set_description(f"{revision.assessment.ref} r{revision.number}")
                render_revision(revision, progress=lambda: bar.update(1))
        self.stdout.write(f"Rendered {len(revisions) * DOCUMENTS_PER_REVISION} PDF(s) of {len(revisions)} revision(s).")
