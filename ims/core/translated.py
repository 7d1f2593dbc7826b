"""Content translated per language, each language carrying its own review status.

Fields listed in a model's ``translated_fields`` are registered with modeltranslation
(one column per language). ``translation_status`` is registered the same way, so the
Khmer text and the Khmer status live side by side.
"""

from django.apps import apps
from django.db import models
from django.utils.translation import gettext_lazy as _

from ims.core.i18n import SOURCE_LANGUAGE, TARGET_LANGUAGES, field_suffix


class TranslationStatus(models.TextChoices):
    MISSING = "missing", _("Not yet translated")
    DRAFT = "draft", _("Draft translation")
    REVIEWED = "reviewed", _("Reviewed translation")


class TranslatedContent(models.Model):
    translated_fields: tuple[str, ...] = ()

    translation_status = models.CharField(
        _("translation status"),
        max_length=10,
        choices=[
            (TranslationStatus.DRAFT, TranslationStatus.DRAFT.label),
            (TranslationStatus.REVIEWED, TranslationStatus.REVIEWED.label),
        ],
        blank=True,
    )

    class Meta:
        abstract = True

    def text_in(self, field, language):
        return getattr(self, f"{field}_{field_suffix(language)}") or ""

    def is_missing(self, field, language):
        """True when the English source has text for this field and the language has none."""
        return bool(self.text_in(field, SOURCE_LANGUAGE).strip()) and not self.text_in(field, language).strip()

    def translation_state(self, language):
        """missing, draft or reviewed: missing when any text present in English is absent here."""
        if language == SOURCE_LANGUAGE:
            return TranslationStatus.REVIEWED
        if any(self.is_missing(field, language) for field in self.translated_fields):
            return TranslationStatus.MISSING
        status = getattr(self, f"translation_status_{field_suffix(language)}")
        return TranslationStatus(status or TranslationStatus.DRAFT)

    def set_translations(self, field, texts):
        """Assign {language: text} to the per-language columns of one field; absent languages become empty."""
        for language in (SOURCE_LANGUAGE, *TARGET_LANGUAGES):
            setattr(self, f"{field}_{field_suffix(language)}", texts.get(language) or "")

    def update_content(self, translated, statuses, **plain):
        """Set translated texts {field: {language: text}}, statuses and plain fields.

        Returns True when anything differs from what the object held, so loaders
        can skip the write and re-running them changes nothing.
        """
        tracked = list(plain)
        for name in (*translated, "translation_status"):
            tracked += [f"{name}_{field_suffix(language)}" for language in (SOURCE_LANGUAGE, *TARGET_LANGUAGES)]
        before = {name: getattr(self, name) for name in tracked}
        for name, texts in translated.items():
            self.set_translations(name, texts)
        for name, value in plain.items():
            setattr(self, name, value)
        self.set_statuses(statuses)
        return self.pk is None or any(getattr(self, name) != value for name, value in before.items())

    def set_statuses(self, statuses):
        for language in TARGET_LANGUAGES:
            setattr(self, f"translation_status_{field_suffix(language)}", statuses.get(language, ""))
        setattr(self, f"translation_status_{field_suffix(SOURCE_LANGUAGE)}", TranslationStatus.REVIEWED)


def translated_models():
    return [model for model in apps.get_models() if issubclass(model, TranslatedContent)]


def content_coverage():
    """Per model and target language: items, and how many are reviewed, draft or missing."""
    rows = []
    for model in translated_models():
        items = list(model.objects.all())
        for language in TARGET_LANGUAGES:
            states = [item.translation_state(language) for item in items]
            rows.append(
                {
                    "content": str(model._meta.verbose_name_plural),
                    "language": language,
                    "items": len(items),
                    "reviewed": states.count(TranslationStatus.REVIEWED),
                    "draft": states.count(TranslationStatus.DRAFT),
                    "missing": states.count(TranslationStatus.MISSING),
                }
            )
    return rows


def register_translated(*models):
    """Register each model's translated fields and its per-language status with modeltranslation."""
    from modeltranslation.translator import TranslationOptions, translator

    for model in models:
        options = type(
            f"{model.__name__}TranslationOptions",
            (TranslationOptions,),
            {"fields": (*model.translated_fields, "translation_status"), "required_languages": ("en",)},
        )
        translator.register(model, options)
