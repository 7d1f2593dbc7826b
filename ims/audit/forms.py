from django import forms
from django.utils.translation import gettext_lazy as _

from ims.audit.models import AuditEvent
from ims.core.listing import ListFilters, date_field, factory_at, factory_field, person_at, search_field


class AuditFilterForm(ListFilters):
    """The audit log by factory (any of its names or its reference), who acted, what they did and when."""

    factory = factory_field()
    actor = search_field(_("Who"))
    action = forms.ChoiceField(label=_("Action"), required=False)
    since = date_field(_("From"))
    until = date_field(_("Until"))
    date_ranges = (("since", "until"),)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        actions = AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct()
        self.fields["action"].choices = [("", _("All actions")), *((name, name) for name in actions)]

    narrowing = {"factory": factory_at("factory"), "actor": person_at("actor"), "action": "action",
                 "since": "at__date__gte", "until": "at__date__lte"}  # fmt: skip
