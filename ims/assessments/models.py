from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ims.policy import states


class Status(models.TextChoices):
    """The assessment's states; the policy table names them, and who may do what in each."""

    PLANNED = states.PLANNED, _("Planned")
    IN_PROGRESS = states.IN_PROGRESS, _("In progress")
    SUBMITTED = states.SUBMITTED, _("Submitted")
    RETURNED = states.RETURNED, _("Returned")
    APPROVED = states.APPROVED, _("Approved")
    CORRECTING = states.CORRECTING, _("Being corrected")


class Answer(models.TextChoices):
    COMPLIANT = "compliant", _("Compliant")
    NON_COMPLIANT = "non_compliant", _("Non-compliant")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")
    NOT_ASSESSED = "not_assessed", _("Not assessed")


def answer_wording(noncompliant_answer):
    """[(answer, words on its button, whether it is the non-compliant one)] for a question phrased yes/no:
    the monitor answers as the question asks, and the non-compliant answer is marked as such."""
    yes, no = _("Yes"), _("No")
    compliant, noncompliant = (no, yes) if noncompliant_answer == "yes" else (yes, no)
    return [
        (Answer.COMPLIANT, compliant, False),
        (Answer.NON_COMPLIANT, noncompliant, True),
        (Answer.NOT_APPLICABLE, Answer.NOT_APPLICABLE.label, False),
        (Answer.NOT_ASSESSED, Answer.NOT_ASSESSED.label, False),
    ]


class Assessment(models.Model):
    """A visit to one factory by a team of monitors against a pinned checklist version."""

    class Type(models.TextChoices):
        ASSESSMENT = "assessment", _("Assessment")
        FOLLOW_UP = "follow_up", _("Follow-up visit")
        LOW_COMPLIANCE_JOINT = "low_compliance_joint", _("Low-compliance joint visit")

    ref = models.CharField(_("reference"), max_length=60, unique=True)
    factory = models.ForeignKey(
        "factories.Factory", verbose_name=_("factory"), on_delete=models.PROTECT, related_name="assessments"
    )
    checklist_version = models.ForeignKey(
        "checklists.ChecklistVersion",
        verbose_name=_("checklist version"),
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    type = models.CharField(_("type"), max_length=30, choices=Type.choices, default=Type.ASSESSMENT)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    visit_start = models.DateField(_("first visit day"))
    visit_end = models.DateField(_("last visit day"))
    monitors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("monitors"), through="AssessmentMonitor", related_name="+"
    )
    interviews_workers = models.PositiveIntegerField(_("workers interviewed"), default=0)
    interviews_managers = models.PositiveIntegerField(_("managers interviewed"), default=0)
    interviews_union = models.PositiveIntegerField(_("union representatives interviewed"), default=0)
    workers_total = models.PositiveIntegerField(_("workers at the visit"), null=True, blank=True)
    workers_female = models.PositiveIntegerField(_("women workers at the visit"), null=True, blank=True)
    row_version = models.PositiveIntegerField(default=1, editable=False)
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-visit_start", "-pk"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.CheckConstraint(
                condition=Q(visit_end__gte=models.F("visit_start")),
                name="visit_ends_after_start",
                violation_error_message=_("The last visit day cannot be before the first."),
            ),
            models.CheckConstraint(
                condition=Q(workers_female__isnull=True)
                | Q(workers_total__isnull=True)
                | Q(workers_female__lte=models.F("workers_total")),
                name="assessment_women_within_total",
                violation_error_message=_("Women workers cannot exceed the total."),
            ),
        ]

    def __str__(self):
        return self.ref

    @property
    def is_published(self):
        return self.status in PUBLISHED_STATUSES

    def current_revision(self):
        return self.revisions.order_by("-number").first()


PUBLISHED_STATUSES = tuple(Status(state) for state in states.ASSESSMENT_STATES if state in states.PUBLISHED)


class AssessmentMonitor(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessment_roles")
    is_lead = models.BooleanField(_("lead monitor"), default=False)
    # Empty means every cluster; otherwise the cluster codes this monitor captures.
    clusters = models.JSONField(_("clusters"), default=list, blank=True)

    class Meta:
        verbose_name = _("assessment monitor")
        verbose_name_plural = _("assessment monitors")
        constraints = [models.UniqueConstraint(fields=["assessment", "user"], name="unique_assessment_monitor")]

    def __str__(self):
        return f"{self.assessment} {self.user}"


class Finding(models.Model):
    """The answer to one question in one assessment."""

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="findings"
    )
    question = models.ForeignKey(
        "checklists.Question", verbose_name=_("question"), on_delete=models.PROTECT, related_name="findings"
    )
    answer = models.CharField(_("answer"), max_length=20, choices=Answer.choices)
    note = models.TextField(_("note"), blank=True)
    note_language = models.CharField(_("note language"), max_length=10, choices=settings.LANGUAGES, default="en")
    # Not applicable because the question's applicability condition is not met (e.g. no workers aged 15-17),
    # as opposed to a monitor's judgement on this one question.
    # A database default too: the bulk writers (history import, the generator) insert rows without this column.
    condition_not_met = models.BooleanField(_("condition not met"), default=False, db_default=False)
    row_version = models.PositiveIntegerField(default=1, editable=False)
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("updated by"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["assessment", "question__compliance_point__cluster__order", "question__compliance_point__order",
                    "question__order"]  # fmt: skip
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        constraints = [models.UniqueConstraint(fields=["assessment", "question"], name="one_finding_per_question")]

    def __str__(self):
        return f"{self.assessment} {self.question.code}: {self.answer}"

    @property
    def is_noncompliant(self):
        return self.answer == Answer.NON_COMPLIANT


class Evidence(models.Model):
    """A photo or document supporting a finding, stored re-encoded without location data."""

    finding = models.ForeignKey(Finding, verbose_name=_("finding"), on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("file"), upload_to="evidence/%Y/%m/")
    content_type = models.CharField(_("content type"), max_length=60)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self):
        return self.file.name


class Transition(models.Model):
    """One step of the assessment's workflow: who moved it, when, why."""

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="transitions"
    )
    action = models.CharField(_("action"), max_length=20)
    from_status = models.CharField(_("from"), max_length=20, choices=Status.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    comment = models.TextField(_("comment"), blank=True)
    # On a return: the head's word on single findings, and each finding's answer and note as the head saw
    # them, so the next review shows what the monitors changed since. {question code: text | [answer, note]}
    finding_comments = models.JSONField(_("comments on findings"), default=dict, blank=True)
    findings_seen = models.JSONField(_("findings as reviewed"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("transition")
        verbose_name_plural = _("transitions")

    def __str__(self):
        return f"{self.assessment}: {self.from_status} -> {self.to_status}"

    def changes_since(self, findings):
        """[(code, (answer, note) as reviewed or None, (answer, note) now)] for the findings that differ."""
        changed = []
        for finding in findings:
            now = [finding.answer, finding.note]
            before = self.findings_seen.get(finding.question.code)
            if before != now:
                changed.append((finding.question.code, before, now))
        return changed


class ClusterResultQuerySet(models.QuerySet):
    def latest_per_factory(self, period_start, period_end):
        """Each factory's latest published result in the period (current revisions only)."""
        rows = self.filter(is_current=True, visit_end__gt=period_start, visit_end__lte=period_end).order_by(
            "factory_id", "-visit_end", "-revision_id"
        )
        latest = {}
        for row in rows.values("factory_id", "revision_id", "cluster", "applicable", "compliant"):
            first = latest.setdefault(row["factory_id"], row["revision_id"])
            if first == row["revision_id"]:
                yield row


class ClusterResult(models.Model):
    """A published revision's compliance points per cluster, kept small so industry figures need no snapshots."""

    revision = models.ForeignKey("ReportRevision", on_delete=models.CASCADE, related_name="cluster_results")
    factory = models.ForeignKey("factories.Factory", on_delete=models.CASCADE, related_name="+")
    visit_end = models.DateField()
    cluster = models.CharField(max_length=10)
    applicable = models.PositiveSmallIntegerField()  # compliance points answered compliant or non-compliant
    compliant = models.PositiveSmallIntegerField()
    is_current = models.BooleanField(default=True)

    objects = ClusterResultQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["revision", "cluster"], name="one_result_per_cluster")]
        indexes = [models.Index(fields=["is_current", "visit_end"])]

    def __str__(self):
        return f"{self.revision} {self.cluster}: {self.compliant}/{self.applicable}"


class ReportRevision(models.Model):
    """What approval published: an immutable snapshot. A correction adds a revision."""

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("assessment"), on_delete=models.PROTECT, related_name="revisions"
    )
    number = models.PositiveIntegerField(_("revision"))
    reason = models.TextField(_("reason for the revision"), blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("approved by"), on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), auto_now_add=True)
    snapshot = models.JSONField(_("snapshot"))

    class Meta:
        ordering = ["assessment", "number"]
        verbose_name = _("report revision")
        verbose_name_plural = _("report revisions")
        constraints = [models.UniqueConstraint(fields=["assessment", "number"], name="unique_revision_number")]

    def __str__(self):
        return f"{self.assessment} r{self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("A published report revision never changes; publish a new revision instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("A published report revision is never deleted.")
