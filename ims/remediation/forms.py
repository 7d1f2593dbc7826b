from django import forms
from django.utils.translation import gettext_lazy as _

from ims.core.action_items import ActionItem
from ims.core.listing import ListFilters, date_field, factory_field, factory_matches


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

    def narrow(self, items, data):
        if data["factory"]:
            items = items.filter(factory_matches(data["factory"], "finding__assessment__factory"))
        if data["status"]:
            items = items.filter(status=data["status"])
        if data["due_from"]:
            items = items.filter(due_date__gte=data["due_from"])
        if data["due_until"]:
            items = items.filter(due_date__lte=data["due_until"])
        return items
