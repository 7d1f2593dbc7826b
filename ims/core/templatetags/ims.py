from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt

from ims.core import sentences
from ims.core.i18n import SOURCE_LANGUAGE, active_language
from ims.core.translated import TranslationStatus

register = template.Library()
_markdown = MarkdownIt("commonmark", {"html": False})


def _render(text, as_markdown):
    return mark_safe(_markdown.render(text)) if as_markdown else text


@register.simple_tag
def translated(obj, field, as_markdown=False):
    """A content field in the active language; a missing translation is shown as missing.

    The English source is then shown, marked as English, so nothing is hidden and
    nothing is silently passed off as a translation.
    """
    language = active_language()
    if language != SOURCE_LANGUAGE and obj.is_missing(field, language):
        return format_html(
            '<span class="untranslated" lang="{}">{}</span> <span class="badge badge-missing">{}</span>',
            SOURCE_LANGUAGE,
            _render(obj.text_in(field, SOURCE_LANGUAGE), as_markdown),
            TranslationStatus.MISSING.label,
        )
    return _render(obj.text_in(field, language), as_markdown)


@register.simple_tag
def translation_badge(obj):
    """A small badge for draft translations, so readers know a text awaits review."""
    language = active_language()
    if language == SOURCE_LANGUAGE or obj.translation_state(language) != TranslationStatus.DRAFT:
        return ""
    return format_html('<span class="badge badge-draft">{}</span>', TranslationStatus.DRAFT.label)


@register.filter(is_safe=True)
def one_full_stop(text):
    """{% filter one_full_stop %} around a sentence that ends on a name: "Co., Ltd.." becomes "Co., Ltd."."""
    return sentences.one_full_stop(text)
