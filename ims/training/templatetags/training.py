from django import template
from django.utils.formats import number_format

register = template.Library()
NONE = "\u2013"  # an en dash where there is no figure


@register.filter
def percent(value, digits=1):
    """A fraction as a percentage in the active language's number format; a dash when there is none."""
    if value is None:
        return NONE
    return f"{number_format(value * 100, decimal_pos=digits)} %"


@register.filter
def points(value, digits=1):
    """A change in rate as signed percentage points."""
    if value is None:
        return NONE
    sign = "+" if value > 0 else ""
    return f"{sign}{number_format(value * 100, decimal_pos=digits)}"
