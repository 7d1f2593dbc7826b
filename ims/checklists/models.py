from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ims.core.i18n import SOURCE_LANGUAGE, field_suffix
from ims.core.translated import TranslatedContent


class ChecklistFrozen(Exception):
    """A checklist version in use may not change what it asks."""


class FreezeGuard(TranslatedContent):
    """Refuses to change anything but the non-source translations once the version is frozen.

    Translators may still correct a Khmer or Chinese wording; what a monitor answered
    (codes, English source text, answer logic, applicability, public flag) stays fixed.
    Bulk queryset updates bypass this guard; the loader and the admin go through save().
    """

    class Meta:
        abstract = True

    @classmethod
    def editable_when_frozen(cls, attname):
        """Only the per-language columns of translated fields (not the source one) stay editable.

        The bare field name reads the active language, so it is never compared itself.
        """
        source_suffix = f"_{field_suffix(SOURCE_LANGUAGE)}"
        return any(
            attname == base or (attname.startswith(f"{base}_") and not attname.endswith(source_suffix))
            for base in (*cls.translated_fields, "translation_status")
        )

    @classmethod
    def frozen_fields(cls):
        return [
            field
            for field in cls._meta.concrete_fields
            if not field.primary_key and not cls.editable_when_frozen(field.attname)
        ]

    def _frozen_values(self):
        return {field.attname: getattr(self, field.attname) for field in self.frozen_fields()}

    def frozen_version_code(self):
        """The code of the frozen version this object belongs to (as stored or as edited), else None."""
        raise NotImplementedError

    def check_not_frozen(self):
        code = self.frozen_version_code()
        if code is None:
            return
        if self.pk is None:
            raise ChecklistFrozen(gettext("Checklist %(code)s is in use; nothing may be added to it.") % {"code": code})
        if type(self).objects.get(pk=self.pk)._frozen_values() != self._frozen_values():
            raise ChecklistFrozen(
                gettext("Checklist %(code)s is in use; only its translations may change.") % {"code": code}
            )

    def clean(self):
        super().clean()
        try:
            self.check_not_frozen()
        except ChecklistFrozen as error:
            raise ValidationError(str(error)) from None

    def save(self, *args, **kwargs):
        self.check_not_frozen()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.pk is not None and type(self).objects.get(pk=self.pk).frozen_version_code():
            raise ChecklistFrozen(gettext("Checklist %(code)s is in use; nothing may be removed from it.")
                                  % {"code": self.frozen_version_code()})  # fmt: skip
        return super().delete(*args, **kwargs)


def _frozen_code(*version_ids):
    return (
        ChecklistVersion.objects.filter(pk__in=[pk for pk in version_ids if pk], frozen_at__isnull=False)
        .values_list("code", flat=True)
        .first()
    )


class ChecklistVersion(FreezeGuard):
    translated_fields = ("title",)

    code = models.CharField(_("version"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=300)
    frozen_at = models.DateTimeField(_("frozen at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("checklist version")
        verbose_name_plural = _("checklist versions")

    def __str__(self):
        return self.code

    @property
    def is_frozen(self):
        return self.frozen_at is not None

    def freeze(self):
        """Called when an assessment first pins this version; from then on its questions are fixed."""
        if not self.is_frozen:
            self.frozen_at = timezone.now()
            ChecklistVersion.objects.filter(pk=self.pk).update(frozen_at=self.frozen_at)

    def frozen_version_code(self):
        return _frozen_code(self.pk)


class FrozenWithVersion(FreezeGuard):
    class Meta:
        abstract = True

    def checklist_version(self):
        raise NotImplementedError

    def _version_ids(self):
        ids = [self.checklist_version().pk]
        if self.pk is not None:
            ids.append(type(self).objects.get(pk=self.pk).checklist_version().pk)
        return ids

    def frozen_version_code(self):
        return _frozen_code(*self._version_ids())


class ApplicabilityCondition(FrozenWithVersion):
    """When a question applies only to some factories (e.g. those with a union)."""

    translated_fields = ("label",)

    version = models.ForeignKey(
        ChecklistVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="conditions"
    )
    code = models.SlugField(_("code"), max_length=50)
    label = models.CharField(_("label"), max_length=300)

    class Meta:
        ordering = ["version", "code"]
        verbose_name = _("applicability condition")
        verbose_name_plural = _("applicability conditions")
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="unique_condition_code")]

    def __str__(self):
        return self.label or self.code

    def checklist_version(self):
        return self.version


class Cluster(FrozenWithVersion):
    translated_fields = ("name",)

    version = models.ForeignKey(
        ChecklistVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="clusters"
    )
    code = models.CharField(_("code"), max_length=10)
    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"))

    class Meta:
        ordering = ["version", "order"]
        verbose_name = _("cluster")
        verbose_name_plural = _("clusters")
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="unique_cluster_code")]

    def __str__(self):
        return f"{self.code} {self.name or self.name_en}"

    def checklist_version(self):
        return self.version


class CompliancePoint(FrozenWithVersion):
    translated_fields = ("name",)

    cluster = models.ForeignKey(
        Cluster, verbose_name=_("cluster"), on_delete=models.CASCADE, related_name="compliance_points"
    )
    code = models.CharField(_("code"), max_length=10)
    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"))

    class Meta:
        ordering = ["cluster__order", "order"]
        verbose_name = _("compliance point")
        verbose_name_plural = _("compliance points")
        constraints = [models.UniqueConstraint(fields=["cluster", "code"], name="unique_point_code")]

    def __str__(self):
        return f"{self.code} {self.name or self.name_en}"

    def checklist_version(self):
        return self.cluster.version


class Question(FrozenWithVersion):
    class Standard(models.TextChoices):
        NATIONAL = "national", _("National law")
        INTERNATIONAL = "international", _("International standard")

    class Answer(models.TextChoices):
        YES = "yes", _("Yes")
        NO = "no", _("No")

    translated_fields = ("text", "guidance", "suggestion", "legal_basis")

    version = models.ForeignKey(
        ChecklistVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="questions"
    )
    compliance_point = models.ForeignKey(
        CompliancePoint, verbose_name=_("compliance point"), on_delete=models.CASCADE, related_name="questions"
    )
    code = models.CharField(_("code"), max_length=20)
    order = models.PositiveSmallIntegerField(_("order"))
    text = models.TextField(_("question"))
    guidance = models.TextField(_("guidance for monitors"), blank=True)
    suggestion = models.TextField(_("suggestion for improvement"), blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=500)
    standard = models.CharField(_("standard"), max_length=20, choices=Standard.choices)
    noncompliant_answer = models.CharField(_("non-compliant answer"), max_length=3, choices=Answer.choices)
    applies_if = models.ForeignKey(
        ApplicabilityCondition,
        verbose_name=_("applies only if"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="questions",
    )
    publicly_reported = models.BooleanField(_("publicly reported"), default=False)
    good_practice_sheets = models.ManyToManyField(
        "goodpractice.GoodPracticeSheet",
        verbose_name=_("good practice sheets"),
        blank=True,
        related_name="questions",
    )

    class Meta:
        ordering = ["compliance_point__cluster__order", "compliance_point__order", "order"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="unique_question_code")]

    def __str__(self):
        return self.code

    def checklist_version(self):
        return self.version
