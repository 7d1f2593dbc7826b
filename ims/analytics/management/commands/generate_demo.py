import tempfile
import time
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ims import policy
from ims.accounts.models import User
from ims.advisory.models import Committee
from ims.analytics.generator import Generator, NoContent
from ims.analytics.importing import import_assessments_file
from ims.factories.importing import import_factories
from ims.factories.models import Factory


def programme_actor(email=None):
    """The user recorded as importer: the one named, else one who may import (a superuser first)."""
    users = User.objects.filter(email__iexact=email) if email else policy.users_who_may("assessments.import")
    return users.order_by("-is_superuser", "pk").first()


class Command(BaseCommand):
    help = (
        "Generate realistic factories, workforce figures and assessments (non-compliance like the 2019 annual "
        "report, remediation over time, some low performers) and import them through the JSON Lines import."
    )

    def add_arguments(self, parser):
        parser.add_argument("--factories", type=int, default=50)
        parser.add_argument("--years", type=int, default=5)
        parser.add_argument("--end-year", type=int, default=date.today().year)
        parser.add_argument("--seed", type=int, default=2019)
        parser.add_argument("--prefix", default="GEN", help="Factory references start with this.")
        parser.add_argument("--actor", help="Email of the programme user recorded as importer.")
        parser.add_argument("--output", type=Path, help="Keep the generated files here (factories.csv, "
                            "assessments.jsonl) and do not import them.")  # fmt: skip

    def handle(self, *args, factories, years, end_year, seed, prefix, actor, output, **options):
        if factories < 1 or years < 1:
            raise CommandError("--factories and --years must be at least 1.")
        try:
            generator = Generator(factories, years, end_year, seed=seed, ref_prefix=prefix)
        except NoContent as error:
            raise CommandError(str(error)) from error
        if output:
            output.mkdir(parents=True, exist_ok=True)
            (output / "factories.csv").write_text(generator.factories_csv(), encoding="utf-8")
            with (output / "assessments.jsonl").open("w", encoding="utf-8") as out:
                count = generator.write_jsonl(out)
            self.stdout.write(f"wrote {factories} factories and {count} assessments to {output}")
            return
        user = programme_actor(actor)
        if user is None:
            raise CommandError("No programme user to record as importer: create one (seed_demo) or pass --actor.")
        result = import_factories(generator.factories_csv())
        if not result.ok:
            raise CommandError("; ".join(map(str, result.errors)))
        self._committees(generator)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "assessments.jsonl"
            with path.open("w", encoding="utf-8") as out:
                generator.write_jsonl(out)
            started = time.perf_counter()
            imported = import_assessments_file(path, user)
        if not imported.ok:
            raise CommandError("; ".join(map(str, imported.errors[:20])))
        self.stdout.write(
            f"factories: {result.created} created, {result.updated + result.unchanged} kept; assessments: "
            f"{imported.created} imported ({imported.findings} findings), {imported.unchanged} already there "
            f"in {time.perf_counter() - started:.1f}s"
        )

    def _committees(self, generator):
        refs = [factory.ref for factory in generator.factories if factory.has_committee]
        with_committee = set(Committee.objects.filter(factory__ref__in=refs).values_list("factory__ref", flat=True))
        first_year = date(generator.years[0], 1, 1)
        Committee.objects.bulk_create(
            Committee(factory=factory, formed_on=first_year, is_active=True)
            for factory in Factory.objects.filter(ref__in=set(refs) - with_committee)
        )
