"""The readings' periodic jobs, enqueued by the scheduler (ims.operations) and run by the task worker."""

from crontask import cron
from django.tasks import task

from ims.readings.services import purge_raw, roll_up_pending


@cron("5 * * * *")
@task
def roll_up_readings():
    """Hourly: the hourly figures and breaches of every device that sent readings since the last run."""
    return roll_up_pending()


@cron("50 2 * * *")
@task
def purge_raw_readings():
    """Nightly: raw readings older than 30 days (the hourly figures stay)."""
    return purge_raw()
