from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ims.core.listing import ListFilters, date_field, factory_at, factory_field
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

    narrowing = {"factory": factory_at("factory"),
                 "handled": lambda handled: Q(acknowledged_at__isnull=handled == AlertFilterForm.WAITING),
                 "since": "raised_at__date__gte", "until": "raised_at__date__lte"}  # fmt: skip


class CampaignFilterForm(ListFilters):
    """Campaigns by factory (any of its names or its reference) and the days they ran."""

    factory = factory_field()
    since = date_field(_("From"))
    until = date_field(_("Until"))
    date_ranges = (("since", "until"),)

    narrowing = {"factory": factory_at("factory"), "since": "ends_on__gte", "until": "starts_on__lte"}
