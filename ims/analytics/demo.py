"""Demo history for the statistics pages: generated factories with five years of published visits.

Goes through the same generator and import as `manage.py generate_demo`; the seeded factories'
own published reports are counted by a rebuild of the tables. Idempotent: the generator is seeded,
so a second run finds every assessment already imported.
"""

import json
from datetime import date

from ims.accounts.models import User
from ims.advisory.models import Committee
from ims.analytics.aggregates import rebuild_all
from ims.analytics.generator import Generator
from ims.analytics.importing import import_assessments_text
from ims.factories.importing import import_factories
from ims.factories.models import Factory

DEMO_FACTORIES = 60
DEMO_YEARS = 5


def seed(stdout):
    generator = Generator(DEMO_FACTORIES, DEMO_YEARS, date.today().year, seed=2019, ref_prefix="KH-G")
    factories = import_factories(generator.factories_csv())
    if not factories.ok:
        raise RuntimeError("; ".join(map(str, factories.errors)))
    refs = [factory.ref for factory in generator.factories if factory.has_committee]
    for factory in Factory.objects.filter(ref__in=refs).exclude(committees__isnull=False):
        Committee.objects.create(factory=factory, formed_on=date(generator.years[0], 1, 1), is_active=True)
    lines = [json.dumps(record, ensure_ascii=False) for record in generator.assessments()]
    result = import_assessments_text("\n".join(lines), User.objects.get(email="head@ims.demo"))
    if not result.ok:
        raise RuntimeError("; ".join(map(str, result.errors[:10])))
    visits = rebuild_all()
    stdout.write(
        f"Statistics: {DEMO_FACTORIES} generated factories, {result.created} assessments imported "
        f"({result.unchanged} already there); {visits} published visits counted"
    )
