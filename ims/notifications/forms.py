from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ims.core.listing import ListFilters, date_field, factory_at, factory_field
from ims.notifications.notices import EVENTS


class NoticeFilterForm(ListFilters):
    """One's notifications by factory (any of its names or its reference), kind, unread and when."""

    UNREAD = "unread"
    factory = factory_field()
    event = forms.ChoiceField(label=_("Kind"), required=False)
    read = forms.ChoiceField(label=_("Read"), required=False,
                             choices=[("", _("Read or not")), (UNREAD, _("Unread only"))])  # fmt: skip
    since = date_field(_("From"))
    until = date_field(_("Until"))
    date_ranges = (("since", "until"),)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event"].choices = [("", _("All kinds")), *((key, event.label) for key, event in EVENTS.items())]

    narrowing = {"factory": factory_at("factory"), "event": "event", "read": lambda _unread: Q(read_at__isnull=True),
                 "since": "created_at__date__gte", "until": "created_at__date__lte"}  # fmt: skip


class PaperFilterForm(ListFilters):
    """Letters waiting to be posted, by factory (any of its names or its reference)."""

    factory = factory_field()

    narrowing = {"factory": factory_at("contact__factory")}
