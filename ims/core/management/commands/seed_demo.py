from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ims.accounts.models import Membership, Organisation, Role, User
from ims.factories.importing import import_factories, read_csv
from ims.factories.models import Factory

DEMO_PASSWORD = "ims-demo-2026"
PROGRAMME = "Demo Compliance Programme"
DEMO_FACTORY_REF = "KH-0001"
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
