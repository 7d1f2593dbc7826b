from django import template

register = template.Library()


@register.filter
def percent(rate, digits=0):
    """A rate in [0, 1] as a percentage ("12%"); a dash when there is no rate (None, or a missing value)."""
    if rate is None or rate == "":
        return "—"
    return f"{100 * rate:.{int(digits)}f}%"


@register.filter
def points(change):
    """A change of rate as signed percentage points ("+6", "\N{MINUS SIGN}4"); a dash when there is none."""
    if change is None:
        return "—"
    value = round(100 * change)
    return f"+{value}" if value > 0 else f"\N{MINUS SIGN}{-value}" if value < 0 else "0"


@register.filter
def headcount(number):
    """A head count with thousands separated ("63,347"); a dash when unknown."""
    if number is None:
        return "—"
    return f"{number:,}"
