from django import forms
from django.utils.translation import gettext_lazy as _

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
