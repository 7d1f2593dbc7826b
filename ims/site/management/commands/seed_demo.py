import random
from datetime import date
from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ims.accounts.models import Membership, Organisation, Role, User
from ims.assessments.models import Answer, Assessment
from ims.assessments.workflow import plan_assessment, save_finding, transition
from ims.checklists.models import ChecklistVersion
from ims.factories.importing import import_factories, read_csv
from ims.factories.models import Factory

DEMO_PASSWORD = "ims-demo-2026"
PROGRAMME = "Demo Compliance Programme"
DEMO_FACTORY_REF = "KH-0001"
# Each app's demo records (idempotent), after the demo report they build on.
APP_DEMOS = ["ims.analytics.demo", "ims.capture.demo", "ims.training.demo", "ims.advisory.demo", "ims.remediation.demo"]
DEMO_USERS = [
    # email, name, language, organisation, roles, superuser
    ("admin@ims.demo", "Sophea Admin", "en", PROGRAMME, [Role.PROGRAMME_ADMIN], True),
    ("head@ims.demo", "Dara Head", "en", PROGRAMME, [Role.HEAD], False),
    ("monitor@ims.demo", "Chenda Monitor", "km", PROGRAMME, [Role.MONITOR], False),
    ("monitor2@ims.demo", "Rithy Monitor", "km", PROGRAMME, [Role.MONITOR], False),
    ("translator@ims.demo", "Li Wei Translator", "zh-hans", PROGRAMME, [Role.TRANSLATOR], False),
    ("trainer@ims.demo", "Bopha Trainer", "km", PROGRAMME, [Role.TRAINER, Role.ADVISOR], False),
    ("factory@ims.demo", "Zhang Min Factory Manager", "zh-hans", "factory", [Role.FACTORY_MANAGER], False),
    ("buyer@ims.demo", "Alex Buyer", "en", "Demo Apparel Brand", [Role.BUYER_VIEWER], False),
    ("partner@ims.demo", "Vannak Analyst", "km", "Demo Garment Workers Union", [Role.PARTNER_ANALYST], False),
]


class Command(BaseCommand):
    help = "Create demo factories, organisations and users (idempotent) and print the demo logins."

    @transaction.atomic
    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("Demo users have a published password; they are never created in production.")
        result = import_factories(read_csv((settings.BASE_DIR / "content/demo/factories.csv").read_bytes()))
        if not result.ok:
            raise CommandError("\n".join(str(error) for error in result.errors))
        factory = Factory.objects.get(ref=DEMO_FACTORY_REF)
        organisations = {
            PROGRAMME: Organisation.objects.get_or_create(
                name=PROGRAMME, defaults={"kind": Organisation.Kind.PROGRAMME, "country": "KH"}
            )[0],
            "factory": Organisation.objects.get_or_create(
                factory=factory, defaults={"name": factory.name_en, "kind": Organisation.Kind.FACTORY}
            )[0],
            "Demo Apparel Brand": Organisation.objects.get_or_create(
                name="Demo Apparel Brand", defaults={"kind": Organisation.Kind.BUYER, "country": "US"}
            )[0],
            "Demo Garment Workers Union": Organisation.objects.get_or_create(
                name="Demo Garment Workers Union",
                defaults={"kind": Organisation.Kind.PARTNER, "partner_type": Organisation.PartnerType.UNION},
            )[0],
        }
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})")
        for email, name, language, organisation, roles, superuser in DEMO_USERS:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(
                    email, DEMO_PASSWORD, full_name=name, preferred_language=language,
                    is_staff=superuser, is_superuser=superuser,
                )  # fmt: skip
            for role in roles:
                Membership.objects.get_or_create(user=user, organisation=organisations[organisation], role=role)
            labels = ", ".join(str(Role(role).label) for role in roles)
            self.stdout.write(f"  {email:<22} {labels:<28} {organisations[organisation].name}")
        self.stdout.write("")
        if not Assessment.objects.exists():
            self._demo_assessments()
        for module in APP_DEMOS:
            import_module(module).seed(self.stdout)

    def _demo_assessments(self):
        """One published report for the demo factory and one visit being captured, as a monitor would leave them."""
        version = ChecklistVersion.objects.first()
        head = User.objects.get(email="head@ims.demo")
        monitors = [User.objects.get(email="monitor@ims.demo"), User.objects.get(email="monitor2@ims.demo")]
        published = plan_assessment(
            factory=Factory.objects.get(ref=DEMO_FACTORY_REF), version=version, actor=head,
            visit_start=date(2026, 10, 6), visit_end=date(2026, 10, 7), monitors=monitors,
        )  # fmt: skip
        transition(published, "start", monitors[0])
        Assessment.objects.filter(pk=published.pk).update(
            workers_total=2850, workers_female=2480, interviews_workers=24, interviews_managers=3, interviews_union=2
        )
        draw = random.Random(2026)
        for question in version.questions.select_related("applies_if"):
            if question.applies_if_id and draw.random() < 0.5:
                answer = Answer.NOT_APPLICABLE
            else:
                answer = Answer.NON_COMPLIANT if draw.random() < 0.08 else Answer.COMPLIANT
            note = (
                "Observed during the walk-through; confirmed in interviews." if answer == Answer.NON_COMPLIANT else ""
            )
            save_finding(published, question_code=question.code, answer=answer, note=note, actor=monitors[0])
        transition(published, "submit", monitors[0])
        transition(published, "approve", head)
        in_progress = plan_assessment(
            factory=Factory.objects.get(ref="KH-0002"), version=version, actor=head,
            visit_start=date(2026, 11, 23), visit_end=date(2026, 11, 24), monitors=monitors,
        )  # fmt: skip
        transition(in_progress, "start", monitors[0])
        self.stdout.write(f"Demo assessments: {published.ref} (published), {in_progress.ref} (being captured)")
