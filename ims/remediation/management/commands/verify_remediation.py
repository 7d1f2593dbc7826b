from django.core.management.base import BaseCommand

from ims.assessments.models import PUBLISHED_STATUSES
from ims.factories.models import Factory
from ims.remediation.verification import verify_factory


class Command(BaseCommand):
    help = (
        "Rebuild the verification of every non-compliance from the published reports (publication does this "
        "for its factory; run it once after installing, or to check)."
    )

    def handle(self, *args, **options):
        factories = Factory.objects.filter(assessments__status__in=PUBLISHED_STATUSES).distinct().order_by("pk")
        verified = sum(verify_factory(factory) for factory in factories)
        self.stdout.write(f"Verified {verified} non-compliance(s) in {factories.count()} factory(ies).")
