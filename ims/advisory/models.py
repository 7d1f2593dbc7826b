"""Advisory services: engagement cycles with visits, the worker-management committee and the roadmap.

Free text (visit notes, meeting minutes, roadmap titles) keeps the language it was written in,
as findings' notes do, so a reader of another language sees it marked as such.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from ims.core.action_items import ActionItem


class Gender(models.TextChoices):
    FEMALE = "female", _("Woman")
    MALE = "male", _("Man")


def _language_field(label):
    return models.CharField(label, max_length=10, choices=settings.LANGUAGES, default="en")


class EngagementCycle(models.Model):
    """A period in which an advisor works with one factory; an open cycle has no end date yet."""

    factory = models.ForeignKey(
        "factories.Factory", verbose_name=_("factory"), on_delete=models.PROTECT, related_name="engagement_cycles"
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("advisor"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["factory", "-start", "-pk"]
        verbose_name = _("engagement cycle")
        verbose_name_plural = _("engagement cycles")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")),
                name="engagement_ends_after_start",
                violation_error_message=_("An engagement cannot end before it starts."),
            ),
            models.UniqueConstraint(
                fields=["factory"], condition=Q(end__isnull=True), name="one_open_engagement_per_factory"
            ),
        ]

    def __str__(self):
        return f"{self.factory} {self.start}"

    @property
    def is_open(self):
        return self.end is None


class AdvisoryVisit(models.Model):
    cycle = models.ForeignKey(
        EngagementCycle, verbose_name=_("engagement cycle"), on_delete=models.PROTECT, related_name="visits"
    )
    date = models.DateField(_("date"))
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("advisor"), on_delete=models.PROTECT, related_name="+"
    )
    notes = models.TextField(_("notes"))
    note_language = _language_field(_("note language"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("advisory visit")
        verbose_name_plural = _("advisory visits")

    def __str__(self):
        return f"{self.cycle.factory} {self.date}"


class Committee(models.Model):
    """A factory's worker-management committee (PICC in Cambodia)."""

    factory = models.ForeignKey(
        "factories.Factory", verbose_name=_("factory"), on_delete=models.CASCADE, related_name="committees"
    )
    formed_on = models.DateField(_("formed on"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["factory", "-formed_on"]
        verbose_name = _("worker-management committee")
        verbose_name_plural = _("worker-management committees")

    def __str__(self):
        return f"{self.factory} ({self.formed_on})"


class CommitteeMember(models.Model):
    class Role(models.TextChoices):
        WORKER_REPRESENTATIVE = "worker_representative", _("Worker representative")
        MANAGEMENT = "management", _("Management")
        UNION = "union", _("Union")

    committee = models.ForeignKey(
        Committee, verbose_name=_("committee"), on_delete=models.CASCADE, related_name="members"
    )
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices)
    elected_on = models.DateField(_("elected or appointed on"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["-is_active", "role", "name"]
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")

    def __str__(self):
        return self.name


class CommitteeMeeting(models.Model):
    committee = models.ForeignKey(
        Committee, verbose_name=_("committee"), on_delete=models.CASCADE, related_name="meetings"
    )
    date = models.DateField(_("date"))
    attendees = models.PositiveIntegerField(_("attendees"))
    minutes_summary = models.TextField(_("summary of the minutes"))
    decisions = models.TextField(_("decisions"), blank=True)
    language = _language_field(_("language of the minutes"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("committee meeting")
        verbose_name_plural = _("committee meetings")

    def __str__(self):
        return f"{self.committee} {self.date}"


class RoadmapItem(ActionItem):
    """One improvement the factory and its advisor agree on within an engagement cycle."""

    due_field = "due"

    cycle = models.ForeignKey(
        EngagementCycle, verbose_name=_("engagement cycle"), on_delete=models.PROTECT, related_name="roadmap"
    )
    title = models.CharField(_("title"), max_length=300)
    language = _language_field(_("language of the title"))
    due = models.DateField(_("due date"))

    class Meta:
        ordering = ["due", "pk"]
        verbose_name = _("roadmap item")
        verbose_name_plural = _("roadmap items")

    def __str__(self):
        return self.title
