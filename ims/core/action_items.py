"""What every action item shares: a corrective action, a roadmap item, a training improvement plan item.

Each names who carries it out, when it is due and how far it got (planned, in progress, done), and
counts as open until done. The three live with what they belong to (ims.responses, ims.advisory,
ims.training) and derive from ActionItem here, so they keep one set of statuses and one meaning of open.
"""

from datetime import date

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ims.core.dates import require_within, years_from_today

# No plan runs further ahead than this.
MAX_DUE_YEARS = 5


class ActionItemQuerySet[Item: "ActionItem"](models.QuerySet[Item]):
    def still_open(self) -> "ActionItemQuerySet[Item]":
        """The items not done yet."""
        return self.exclude(status=ActionItem.Status.DONE)

    def overdue(self, on: date) -> "ActionItemQuerySet[Item]":
        """The items not done whose due date is before the day given."""
        return self.still_open().filter(**{f"{self.model.due_field}__lt": on})


class ActionItem(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")

    # The name of the item's due-date field (the roadmap's predates this base and calls it "due").
    due_field = "due_date"

    owner = models.CharField(_("responsible person"), max_length=200)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.DONE


def is_known_status(status: str) -> bool:
    """Whether a status sent by a form or the API is one an action item can have."""
    return status in ActionItem.Status.values


def require_plausible_due_date(day: date) -> None:
    require_within(day, gettext("The due date"), latest=years_from_today(MAX_DUE_YEARS))
