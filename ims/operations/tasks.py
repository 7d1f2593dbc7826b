"""The schedule: every periodic job, enqueued by `manage.py run_scheduler` and run by the task worker.

These are the commands the README used to leave to cron. Each is safe to run twice (a second run
finds nothing left to do), so a scheduler restarted at the wrong moment does no harm.
"""

from io import StringIO

from crontask import cron
from django.core.management import call_command
from django.tasks import task

from ims.operations.workers import purge_old_heartbeats


def _command(name, *args):
    output = StringIO()
    call_command(name, *args, stdout=output)
    return output.getvalue().strip()


@cron("17 * * * *")
@task
def retry_notifications():
    """Hourly: notification emails that failed, or whose sending was interrupted, are tried again."""
    return _command("retry_notifications")


@cron("0 7 * * *")
@task
def send_remediation_reminders():
    """Daily at 07:00 (IMS_TIME_ZONE): reminders of overdue corrective actions."""
    return _command("send_remediation_reminders")


@cron("40 2 * * *")
@task
def purge_expired_records():
    """Nightly: expired API idempotency records, finished task results older than a week, old heartbeats."""
    return {
        "idempotency": _command("purge_idempotency_records"),
        "tasks": _command("prune_db_task_results", "--min-age-days", "7", "--failed-min-age-days", "30"),
        "heartbeats": purge_old_heartbeats(),
    }
