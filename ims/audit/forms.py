from django import forms
from django.utils.translation import gettext_lazy as _

from ims.audit.models import AuditEvent
from ims.core.listing import ListFilters, date_field, factory_field, factory_matches, person_matches, search_field


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

    def narrow(self, events, data):
        if data["factory"]:
            events = events.filter(factory_matches(data["factory"], "factory"))
        if data["actor"]:
            events = events.filter(person_matches(data["actor"], "actor"))
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["since"]:
            events = events.filter(at__date__gte=data["since"])
        if data["until"]:
            events = events.filter(at__date__lte=data["until"])
        return events
