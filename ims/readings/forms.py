from django import forms
from django.utils.translation import gettext_lazy as _

from ims.core.listing import ListFilters, date_field
from ims.readings.models import Breach


class BreachFilterForm(ListFilters):
    """A factory's threshold breaches by threshold and day."""

    kind = forms.ChoiceField(label=_("Threshold"), required=False,
                             choices=[("", _("All thresholds")), *Breach.Kind.choices])  # fmt: skip
    since = date_field(_("From"))
    until = date_field(_("Until"))
    date_ranges = (("since", "until"),)

    narrowing = {"kind": "kind", "since": "day__gte", "until": "day__lte"}
