from django import forms
from django.utils.translation import gettext_lazy as _

from ims.core.listing import ListFilters, date_field, factory_at, factory_field, factory_matches
from ims.factories.models import Factory
from ims.planning.models import LowComplianceCase


class JointVisitForm(forms.Form):
    visited_on = forms.DateField(label=_("Joint visit"), widget=forms.DateInput(attrs={"type": "date"}))
    officials = forms.CharField(
        label=_("Officials at the joint visit"), max_length=300,
        help_text=_("The ministries and the manufacturers' association, e.g. MoLVT, MoC, GMAC."),
    )  # fmt: skip


class CloseCaseForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[choice for choice in LowComplianceCase.Outcome.choices if choice[0] != "open"]
    )
    closed_on = forms.DateField(label=_("Closed on"), widget=forms.DateInput(attrs={"type": "date"}))


class CaseFilterForm(ListFilters):
    """Low-compliance cases by factory (any of its names or its reference), outcome and the day opened."""

    factory = factory_field()
    outcome = forms.ChoiceField(label=_("Outcome"), required=False,
                                choices=[("", _("All outcomes")), *LowComplianceCase.Outcome.choices])  # fmt: skip
    opened_from = date_field(_("Opened from"))
    opened_until = date_field(_("Opened until"))
    date_ranges = (("opened_from", "opened_until"),)

    narrowing = {"factory": factory_at("factory"), "outcome": "outcome", "opened_from": "opened_on__gte",
                 "opened_until": "opened_on__lte"}  # fmt: skip


class RankingFilterForm(ListFilters):
    """The risk ranking narrowed to the factories matching a search; each keeps its place in the whole ranking."""

    factory = factory_field()

    def narrow(self, ranked, data):
        if not data["factory"]:
            return ranked
        matching = set(Factory.objects.filter(factory_matches(data["factory"])).values_list("pk", flat=True))
        return [risk for risk in ranked if risk.factory.pk in matching]
