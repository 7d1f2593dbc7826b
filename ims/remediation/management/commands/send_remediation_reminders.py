from django.core.management.base import BaseCommand, CommandError

from ims.remediation.reminders import factories_with_overdue_actions
from ims.remediation.services import as_date, today
from ims.remediation.tasks import send_remediation_reminders


class Command(BaseCommand):
    help = (
        "Queue today's reminder emails about overdue corrective actions, one task per factory (run daily from cron). "
        "Running it twice on a day sends nothing twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="The day to remind for, YYYY-MM-DD (default: today).")

    def handle(self, *args, **options):
        try:
            day = as_date(options["date"]) if options["date"] else today()
        except ValueError as error:
            raise CommandError(f"--date: {error}") from error
        factory_ids = list(factories_with_overdue_actions(day).values_list("pk", flat=True))
        for factory_id in factory_ids:
            send_remediation_reminders.enqueue(factory_id, day.isoformat())
        self.stdout.write(f"Queued reminders for {len(factory_ids)} factory(ies) with overdue actions on {day}.")
