from django import forms
from django.utils.translation import gettext_lazy as _

from ims.core.listing import ListFilters, date_field, factory_field, factory_matches
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

    def narrow(self, notices, data):
        if data["factory"]:
            notices = notices.filter(factory_matches(data["factory"], "factory"))
        if data["event"]:
            notices = notices.filter(event=data["event"])
        if data["read"]:
            notices = notices.filter(read_at__isnull=True)
        if data["since"]:
            notices = notices.filter(created_at__date__gte=data["since"])
        if data["until"]:
            notices = notices.filter(created_at__date__lte=data["until"])
        return notices


class PaperFilterForm(ListFilters):
    """Letters waiting to be posted, by factory (any of its names or its reference)."""

    factory = factory_field()

    def narrow(self, letters, data):
        if data["factory"]:
            letters = letters.filter(factory_matches(data["factory"], "contact__factory"))
        return letters
