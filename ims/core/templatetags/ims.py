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


# Rates drawn as bars inside a table's cells: the first in the accent colour, a second (what it is compared
# with) pale, each on a faint track that shows the whole 0-100% scale.
BAR_COLOURS = ("#1f5fa8", "#b9c3d3")
BAR_TRACK = "#eef1f6"
BAR_GAP = 0.4  # between two bars, in bar thicknesses


@register.simple_tag
def bars(*rates):
    """Rates in [0, 1] as horizontal bars, one under the other, as wide as their box: a chart drawn inside a
    data table, so that the names beside it are text in the reader's language (wrapping on a phone, shaped in
    a PDF). SVG attributes, not inline styles, which the Content Security Policy need not allow; WeasyPrint
    draws it too. No bar where a rate is missing."""
    marks = []
    for index, rate in enumerate(rates):
        top = f"{index * (1 + BAR_GAP):g}"
        marks.append(format_html('<rect y="{}" width="100" height="1" fill="{}"/>', top, BAR_TRACK))
        if rate is not None:
            width = f"{min(max(100 * float(rate), 0), 100):.1f}"
            colour = BAR_COLOURS[index % len(BAR_COLOURS)]
            marks.append(format_html('<rect y="{}" width="{}" height="1" fill="{}"/>', top, width, colour))
    return format_html(
        '<svg class="bars bars-{}" viewBox="0 0 100 {}" preserveAspectRatio="none" aria-hidden="true" '
        'focusable="false">{}</svg>',
        len(rates),
        f"{len(rates) + (len(rates) - 1) * BAR_GAP:g}",
        mark_safe("".join(marks)),
    )


@register.simple_tag
def swatch(colour):
    """A small square of a chart's colour, naming what it draws in a legend or a table beside the chart."""
    return format_html(
        '<svg class="swatch" viewBox="0 0 1 1" aria-hidden="true" focusable="false">'
        '<rect width="1" height="1" fill="{}"/></svg>',
        colour,
    )


@register.simple_tag
def bar_swatch(index):
    """The swatch of the index-th bar drawn by `bars`."""
    return swatch(BAR_COLOURS[index])
