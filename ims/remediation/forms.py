from django import forms
from django.utils.translation import gettext_lazy as _

from ims.core.action_items import ActionItem
from ims.core.listing import ListFilters, date_field, factory_at, factory_field


class OverdueFilterForm(ListFilters):
    """Overdue corrective actions by factory (any of its names or its reference), status and due date."""

    factory = factory_field()
    status = forms.ChoiceField(
        label=_("Status"), required=False,
        choices=[("", _("All statuses")), *(choice for choice in ActionItem.Status.choices
                                            if choice[0] != ActionItem.Status.DONE)],
    )  # fmt: skip
    due_from = date_field(_("Due from"))
    due_until = date_field(_("Due until"))
    date_ranges = (("due_from", "due_until"),)

    narrowing = {"factory": factory_at("finding__assessment__factory"), "status": "status",
                 "due_from": "due_date__gte", "due_until": "due_date__lte"}  # fmt: skip
