from django.db import models
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """A long-running process (task worker, scheduler) saying it is alive.

    A task left RUNNING by a worker whose heartbeat stopped is taken up again by another worker;
    /readyz reports the newest heartbeat of each role.
    """

    class Role(models.TextChoices):
        WORKER = "worker", _("Task worker")
        SCHEDULER = "scheduler", _("Scheduler")

    process_id = models.CharField(_("process"), max_length=64, primary_key=True)
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    hostname = models.CharField(_("host"), max_length=255)
    pid = models.PositiveIntegerField(_("process number"))
    started_at = models.DateTimeField(_("started at"))
    seen_at = models.DateTimeField(_("last seen"), db_index=True)

    class Meta:
        ordering = ["-seen_at"]
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self):
        return f"{self.role} {self.process_id}"
