"""Background work: verification after each publication, and the daily reminders, one task per factory."""

from django.tasks import task

from ims.factories.models import Factory
from ims.operations.queue import enqueue_with_change
from ims.remediation.reminders import send_factory_reminders
from ims.remediation.services import as_date
from ims.remediation.verification import verify_factory


@task
def verify_remediation(factory_id):
    return verify_factory(Factory.objects.get(pk=factory_id))


@task
def send_remediation_reminders(factory_id, day):
    """day: YYYY-MM-DD, the day the reminders are for (task arguments travel as JSON)."""
    return send_factory_reminders(factory_id, as_date(day))


def on_report_published(sender, revision, **kwargs):
    enqueue_with_change(verify_remediation, revision.assessment.factory_id)
