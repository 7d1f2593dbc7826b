"""The scheduler: django-crontask's, which enqueues the jobs of ims.operations.tasks on their schedule,
plus a heartbeat so /readyz can tell it runs. Run exactly one per deployment (with Redis configured,
crontask's lock makes a second one wait)."""

from apscheduler.triggers.interval import IntervalTrigger
from crontask.management.commands import crontask
from django.conf import settings
from django.db import connection

from ims.operations import workers
from ims.operations.models import Heartbeat


class Command(crontask.Command):
    help = "Run the scheduler of periodic jobs (notification retries, reminders, clean-ups)."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(no_heartbeat=True)  # crontask's heartbeat is a task a minute; ours is a row

    def launch_scheduler(self, lock, scheduler):
        heartbeat = workers.HeartbeatWriter(workers.new_process_id("scheduler"), Heartbeat.Role.SCHEDULER)
        heartbeat.beat_once()
        connection.close()  # APScheduler's threads open their own
        scheduler.add_job(
            heartbeat.beat_once,
            IntervalTrigger(seconds=settings.IMS_WORKER_HEARTBEAT_SECONDS),
            name="ims.operations.heartbeat",
        )
        super().launch_scheduler(lock, scheduler)
