from django import forms
from django.utils.translation import gettext_lazy as _

from ims.core.listing import ListFilters, date_field, factory_field, factory_matches
from ims.core.numbers import RecordChoiceField, WholeNumberField
from ims.factories.models import Factory
from ims.voice.questions import NO, QUESTIONS, YES
from ims.voice.services import MAX_CARDS_AT_ONCE


class CampaignForm(forms.Form):
    factory = RecordChoiceField(
        label=_("Factory"), queryset=Factory.objects.exclude(status=Factory.Status.CLOSED).order_by("ref"),
        to_field_name="ref",
    )  # fmt: skip
    starts_on = forms.DateField(label=_("First day"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"}))
    rapidpro_flow = forms.UUIDField(
        label=_("RapidPro flow UUID"), required=False, help_text=_("Optional: only this flow may post answers.")
    )


class CardsForm(forms.Form):
    count = WholeNumberField(label=_("Number of answer cards"), min_value=1, max_value=MAX_CARDS_AT_ONCE, initial=50)


class SurveyForm(forms.Form):
    """Every question may be left unanswered; the comment is read for grievance words and not kept."""

    comment = forms.CharField(
        label=_("Anything else you want the programme to know? (not stored)"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(YES, _("Yes")), (NO, _("No"))]
        questions = {
            question.key: forms.ChoiceField(label=question.text, choices=choices, required=False,
                                            widget=forms.RadioSelect)
            for question in QUESTIONS
        }  # fmt: skip
        self.fields = {**questions, "comment": self.fields["comment"]}

    def answers(self):
        return {
            question.key: self.cleaned_data[question.key] for question in QUESTIONS if self.cleaned_data[question.key]
        }


class AlertFilterForm(ListFilters):
    """Grievance alerts by factory (any of its names or its reference), whether handled, and when raised."""

    WAITING, HANDLED = "waiting", "handled"
    factory = factory_field()
    handled = forms.ChoiceField(label=_("Handled"), required=False, choices=[
        ("", _("All alerts")), (WAITING, _("Not handled yet")), (HANDLED, _("Handled"))])  # fmt: skip
    since = date_field(_("Raised from"))
    until = date_field(_("Raised until"))
    date_ranges = (("since", "until"),)

    def narrow(self, alerts, data):
        if data["factory"]:
            alerts = alerts.filter(factory_matches(data["factory"], "factory"))
        if data["handled"]:
            alerts = alerts.filter(acknowledged_at__isnull=data["handled"] == self.WAITING)
        if data["since"]:
            alerts = alerts.filter(raised_at__date__gte=data["since"])
        if data["until"]:
            alerts = alerts.filter(raised_at__date__lte=data["until"])
        return alerts


class CampaignFilterForm(ListFilters):
    """Campaigns by factory (any of its names or its reference) and the days they ran."""

    factory = factory_field()
    since = date_field(_("From"))
    until = date_field(_("Until"))
    date_ranges = (("since", "until"),)

    def narrow(self, campaigns, data):
        if data["factory"]:
            campaigns = campaigns.filter(factory_matches(data["factory"], "factory"))
        if data["since"]:
            campaigns = campaigns.filter(ends_on__gte=data["since"])
        if data["until"]:
            campaigns = campaigns.filter(starts_on__lte=data["until"])
        return campaigns
