from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    DETAILED = "detailed", _("Detailed report")
    SUMMARY = "summary", _("Public summary")


class RenderedReport(models.Model):
    """The PDF of one document (kind and language) of a report revision, as last rendered."""

    revision = models.ForeignKey(
        "assessments.ReportRevision",
        verbose_name=_("report revision"),
        on_delete=models.PROTECT,
        related_name="rendered_reports",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    file = models.FileField(_("file"), upload_to="reports/")
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    # SHA-256 of the document's canonical content, printed in its footer.
    verification_code = models.CharField(_("verification code"), max_length=64)
    pages = models.PositiveIntegerField(_("pages"))
    size = models.PositiveIntegerField(_("size in bytes"))
    generated_at = models.DateTimeField(_("generated at"))

    class Meta:
        ordering = ["revision", "kind", "language"]
        verbose_name = _("rendered report")
        verbose_name_plural = _("rendered reports")
        constraints = [
            models.UniqueConstraint(fields=["revision", "kind", "language"], name="one_rendering_per_document")
        ]

    def __str__(self):
        return f"{self.revision} {self.kind} {self.language}"


class IssuedPdf(models.Model):
    """Every distinct PDF a rendered report has been, so a copy printed before a re-rendering
    (updated action plan, industry figures) is still recognised as genuine."""

    rendered = models.ForeignKey(RenderedReport, on_delete=models.CASCADE, related_name="issued")
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    verification_code = models.CharField(_("verification code"), max_length=64, db_index=True)
    generated_at = models.DateTimeField(_("generated at"))

    class Meta:
        ordering = ["-generated_at", "-pk"]
        verbose_name = _("issued PDF")
        verbose_name_plural = _("issued PDFs")
        constraints = [models.UniqueConstraint(fields=["sha256"], name="one_issue_per_pdf")]

    def __str__(self):
        return f"{self.rendered} {self.verification_code[:12]}"


class NoteTranslation(models.Model):
    """A translation of a monitor's note, shown beside the original and marked as a translation.

    `source_text` is the note as it read when translated: after a correction changes the note, the
    old translation no longer matches and is not shown.
    """

    finding = models.ForeignKey(
        "assessments.Finding", verbose_name=_("finding"), on_delete=models.CASCADE, related_name="note_translations"
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    text = models.TextField(_("translation"))
    source_text = models.TextField(_("translated note"))
    translated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("translated by"), on_delete=models.PROTECT, related_name="+"
    )
    translated_at = models.DateTimeField(_("translated at"), auto_now=True)

    class Meta:
        ordering = ["finding", "language"]
        verbose_name = _("note translation")
        verbose_name_plural = _("note translations")
        constraints = [models.UniqueConstraint(fields=["finding", "language"], name="one_translation_per_language")]

    def __str__(self):
        return f"{self.finding} ({self.language})"
