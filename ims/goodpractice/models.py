from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ims.core.translated import TranslatedContent


class GoodPracticeSheet(TranslatedContent):
    """A short practical guide the programme gives factories as a suggestion for improvement."""

    translated_fields = ("title", "summary", "body")

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"))
    body = models.TextField(_("body"), help_text=_("Markdown: headings and bullet lists."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["title_en"]
        verbose_name = _("good practice sheet")
        verbose_name_plural = _("good practice sheets")

    def __str__(self):
        return self.title or self.title_en

    def get_absolute_url(self):
        return reverse("goodpractice:detail", args=[self.slug])
