"""The training catalogue and who took part.

A programme (translated) has ordered modules; a session runs one module on consecutive days for a
number of participant seats. A factory enrols in a session with named participants; attendance is
recorded per participant and session day; closing the session marks completion by the programme's
rules (see ims.training.services). A factory may design an improvement plan in the training.
"""

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ims.core.action_items import ActionItem
from ims.core.translated import TranslatedContent


class ProgrammeKind(models.TextChoices):
    MODULAR = "modular", _("Modular programme")
    SEMINAR = "seminar", _("Single-issue seminar")
    SUPERVISORY = "supervisory", _("Supervisory skills")
    LEADERSHIP = "leadership", _("Leadership programme")


class TrainingProgramme(TranslatedContent):
    translated_fields = ("name", "description")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ProgrammeKind.choices)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    completion_threshold = models.PositiveSmallIntegerField(
        _("attendance needed to complete (%)"),
        default=100,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Share of a session's days a participant must attend to complete it."),
    )
    requires_improvement_plan = models.BooleanField(
        _("factories design an improvement plan"),
        default=False,
        help_text=_("A factory completes a session only with at least one item in its improvement plan."),
    )

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("training programme")
        verbose_name_plural = _("training programmes")
        constraints = [
            models.CheckConstraint(
                condition=Q(completion_threshold__gte=1, completion_threshold__lte=100),
                name="training_threshold_is_a_percentage",
                violation_error_message=_("The attendance needed must be between 1 and 100 percent."),
            )
        ]

    def __str__(self):
        return self.name or self.name_en

    def get_absolute_url(self):
        return reverse("training:programme", args=[self.code])


class TrainingModule(TranslatedContent):
    translated_fields = ("name", "description")

    programme = models.ForeignKey(
        TrainingProgramme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="modules"
    )
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["programme__order", "programme__code", "order"]
        verbose_name = _("training module")
        verbose_name_plural = _("training modules")
        constraints = [models.UniqueConstraint(fields=["programme", "order"], name="unique_module_order")]

    def __str__(self):
        return self.name or self.name_en


class TrainingSession(models.Model):
    """One module taught on consecutive days; capacity counts participant seats, not factories."""

    module = models.ForeignKey(
        TrainingModule, verbose_name=_("module"), on_delete=models.PROTECT, related_name="sessions"
    )
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    venue = models.CharField(_("venue"), max_length=300)
    languages = models.JSONField(_("languages"), default=list, help_text=_("Languages taught or interpreted."))
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("trainer"), on_delete=models.PROTECT, related_name="training_sessions"
    )
    capacity = models.PositiveSmallIntegerField(_("seats"), validators=[MinValueValidator(1)])
    seats_per_factory = models.PositiveSmallIntegerField(
        _("seats per factory"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    # Seats held by active enrolments; changed only by conditional updates in ims.training.services.
    seats_taken = models.PositiveSmallIntegerField(_("seats taken"), default=0, editable=False)
    fee = models.DecimalField(_("fee per factory (USD)"), max_digits=9, decimal_places=2, default=0)
    closed_at = models.DateTimeField(_("completion marked at"), null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "-pk"]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="training_session_ends_after_start",
                violation_error_message=_("The last day cannot be before the first."),
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="training_session_has_seats"),
            # The last line of defence against overbooking; the services never let it fire.
            models.CheckConstraint(condition=Q(seats_taken__lte=F("capacity")), name="training_session_not_overbooked"),
        ]

    def __str__(self):
        return f"{self.module} {self.start_date:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("training:session", args=[self.pk])

    @property
    def programme(self):
        return self.module.programme

    @property
    def days(self):
        length = (self.end_date - self.start_date).days + 1
        return [self.start_date + timedelta(days=offset) for offset in range(length)]

    @property
    def seats_left(self):
        return self.capacity - self.seats_taken

    @property
    def is_closed(self):
        return self.closed_at is not None

    def language_names(self):
        names = dict(settings.LANGUAGES)
        return [names.get(code, code) for code in self.languages]


class Enrolment(models.Model):
    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("Enrolled")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        COMPLETED = "completed", _("Completed")
        NOT_COMPLETED = "not_completed", _("Not completed")

    session = models.ForeignKey(
        TrainingSession, verbose_name=_("session"), on_delete=models.PROTECT, related_name="enrolments"
    )
    factory = models.ForeignKey(
        "factories.Factory", verbose_name=_("factory"), on_delete=models.PROTECT, related_name="training_enrolments"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ENROLLED)
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    enrolled_at = models.DateTimeField(_("enrolled at"), auto_now_add=True)

    class Meta:
        ordering = ["session", "factory__name_en"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "factory"],
                condition=~Q(status="withdrawn"),
                name="one_active_enrolment_per_factory",
                violation_error_message=_("This factory is already enrolled in this session."),
            )
        ]

    def __str__(self):
        return f"{self.factory} - {self.session}"

    def get_absolute_url(self):
        return reverse("training:enrolment", args=[self.pk])

    @property
    def holds_seats(self):
        return self.status != self.Status.WITHDRAWN


class Participant(models.Model):
    class Role(models.TextChoices):
        MANAGEMENT = "management", _("Management")
        WORKER_REPRESENTATIVE = "worker_representative", _("Worker representative")
        UNION = "union", _("Union")

    class Gender(models.TextChoices):
        FEMALE = "female", _("Woman")
        MALE = "male", _("Man")

    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.CASCADE, related_name="participants"
    )
    name = models.CharField(_("name"), max_length=200)
    position = models.CharField(_("position"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices)
    # Unknown until the session's completion is marked.
    completed = models.BooleanField(_("completed"), null=True, editable=False)

    class Meta:
        ordering = ["enrolment", "pk"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self):
        return self.name


class Attendance(models.Model):
    """Whether one participant was there on one day of the session."""

    participant = models.ForeignKey(
        Participant, verbose_name=_("participant"), on_delete=models.CASCADE, related_name="attendance"
    )
    day = models.DateField(_("day"))
    present = models.BooleanField(_("present"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    class Meta:
        ordering = ["participant", "day"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["participant", "day"], name="one_attendance_per_day")]

    def __str__(self):
        return f"{self.participant} {self.day}: {self.present}"


class ImprovementPlan(models.Model):
    """The Factory Improvement Plan a factory designs in the training to apply it at work."""

    enrolment = models.OneToOneField(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.CASCADE, related_name="improvement_plan"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("factory improvement plan")
        verbose_name_plural = _("factory improvement plans")

    def __str__(self):
        return str(self.enrolment)


class ImprovementItem(ActionItem):
    plan = models.ForeignKey(ImprovementPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="items")
    action = models.TextField(_("action"))
    owner = models.CharField(_("owner"), max_length=200, help_text=_("Who at the factory carries it out."))
    due_date = models.DateField(_("due date"))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["plan", "due_date", "pk"]
        verbose_name = _("improvement plan item")
        verbose_name_plural = _("improvement plan items")

    def __str__(self):
        return self.action[:60]
