"""Pre-computed analytics tables: refreshed when a report is published, read by every page.

Pages and the public API read these instead of findings or snapshots, so a statistics page costs
a few hundred small rows whatever the number of findings behind it.
"""

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class VisitResultQuerySet(models.QuerySet):
    """Factory-level results are private: pages scope them with ims.policy ("dashboard.factory")."""

    def period_latest(self, year):
        return self.filter(year=year, latest_in_year=True)


class VisitResult(models.Model):
    """What one published assessment (its current revision) counts for the indicators."""

    factory = models.ForeignKey("factories.Factory", on_delete=models.CASCADE, related_name="visit_results")
    assessment = models.OneToOneField("assessments.Assessment", on_delete=models.CASCADE, related_name="visit_result")
    revision = models.ForeignKey("assessments.ReportRevision", on_delete=models.CASCADE, related_name="+")
    visit_end = models.DateField()
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField(default=1)  # 1 for the factory's first published visit
    latest_in_year = models.BooleanField(default=False)
    workers_total = models.PositiveIntegerField(null=True)
    workers_female = models.PositiveIntegerField(null=True)
    clusters = models.JSONField(default=dict)  # {cluster: [applicable points, non-compliant points]}
    points = models.JSONField(default=dict)  # {point: "compliant" | "non_compliant"}, applicable points only
    public_issues = models.JSONField(default=dict)  # {question: "compliant" | "non_compliant"}, applicable only
    noncompliant_questions = models.JSONField(default=list)
    compliant_questions = models.JSONField(default=list)
    public_noncompliant = models.PositiveSmallIntegerField(default=0)
    clean_streak = models.PositiveIntegerField(default=0)  # consecutive visits to this one without public NC

    objects = VisitResultQuerySet.as_manager()

    class Meta:
        ordering = ["factory", "visit_end", "assessment"]
        indexes = [
            models.Index(fields=["year", "latest_in_year"]),
            models.Index(fields=["factory", "visit_end"]),
        ]

    def __str__(self):
        return f"{self.assessment_id} {self.visit_end}"

    def cluster_score(self, code):
        applicable, noncompliant = self.clusters.get(code, (0, 0))
        return (applicable - noncompliant) / applicable if applicable else None


class IndustryAggregate(models.Model):
    """Factories assessed and non-compliant per cluster, compliance point or question in a year."""

    class Level(models.TextChoices):
        CLUSTER = "cluster", _("Cluster")
        POINT = "point", _("Compliance point")
        QUESTION = "question", _("Question")

    year = models.PositiveSmallIntegerField()
    level = models.CharField(max_length=10, choices=Level.choices)
    code = models.CharField(max_length=20)
    cluster = models.CharField(max_length=10)
    point = models.CharField(max_length=10, blank=True)
    order = models.PositiveIntegerField()  # checklist order, so pages list rows as the checklist does
    publicly_reported = models.BooleanField(default=False)
    assessed = models.PositiveIntegerField()
    noncompliant = models.PositiveIntegerField()

    class Meta:
        ordering = ["year", "level", "order"]
        constraints = [models.UniqueConstraint(fields=["year", "level", "code"], name="one_aggregate_per_code")]

    def __str__(self):
        return f"{self.year} {self.code}: {self.noncompliant}/{self.assessed}"

    @property
    def rate(self):
        return self.noncompliant / self.assessed if self.assessed else None


class IndustryYear(models.Model):
    """Industry-wide figures of one year, from each factory's latest published visit in it."""

    year = models.PositiveSmallIntegerField(unique=True)
    factories_assessed = models.PositiveIntegerField()
    workers_total = models.PositiveBigIntegerField(default=0)
    workers_female = models.PositiveBigIntegerField(default=0)
    factories_with_workforce = models.PositiveIntegerField(default=0)
    public_noncompliant_mean = models.FloatField(default=0)
    public_noncompliant_sd = models.FloatField(default=0)
    cluster_scores = models.JSONField(default=dict)  # {cluster: sorted scores}, for averages and percentiles

    class Meta:
        ordering = ["year"]

    def __str__(self):
        return str(self.year)


class ClassificationRule(models.Model):
    """Which factories the public lists name; one row, defaults from docs/domain.md."""

    low_min_assessments = models.PositiveSmallIntegerField(
        _("low compliance: minimum assessments"), default=3, validators=[MinValueValidator(1)]
    )
    low_sd_above_mean = models.FloatField(
        _("low compliance: standard deviations above the industry mean"), default=2.0, validators=[MinValueValidator(0)]
    )
    high_clean_assessments = models.PositiveSmallIntegerField(
        _("high performing: latest assessments without public non-compliance"),
        default=2,
        validators=[MinValueValidator(1)],
    )
    high_requires_committee = models.BooleanField(
        _("high performing: requires an active worker-management committee"), default=True
    )

    class Meta:
        verbose_name = _("classification rule")
        verbose_name_plural = _("classification rules")

    def __str__(self):
        return str(_("Classification rule"))

    @classmethod
    def current(cls):
        rule = cls.objects.order_by("pk").first()
        return rule if rule is not None else cls()


class ImportedAssessment(models.Model):
    """Marks an assessment that came from a historical import, with the content it was imported from,
    so that importing the same line again is a no-op and a changed line is refused."""

    assessment = models.OneToOneField("assessments.Assessment", on_delete=models.CASCADE, related_name="+")
    sha256 = models.CharField(max_length=64)
    imported_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.assessment_id} {self.sha256[:12]}"


class FactoryStanding(models.Model):
    """Each assessed factory's current standing, from its latest published visit: the public directory
    filters and counts on it in SQL. Refreshed with the industry figures."""

    factory = models.OneToOneField("factories.Factory", on_delete=models.CASCADE, related_name="standing")
    visit_end = models.DateField()
    year = models.PositiveSmallIntegerField()
    assessment_ref = models.CharField(max_length=60)
    revision_number = models.PositiveIntegerField()
    public_noncompliant = models.PositiveSmallIntegerField()
    score = models.FloatField(null=True)  # share of applicable compliance points compliant
    is_low_compliance = models.BooleanField(default=False)
    is_high_performing = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["public_noncompliant"])]

    def __str__(self):
        return f"{self.factory_id} {self.visit_end}"


class AnalyticsState(models.Model):
    """One row whose version grows at every refresh: caches of drawn charts key on it."""

    version = models.PositiveBigIntegerField(default=0)
    refreshed_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return str(self.version)
