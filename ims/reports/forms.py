from django import forms
from django.utils.translation import gettext_lazy as _

from ims.assessments.models import Assessment
from ims.core.listing import ListFilters, date_field, factory_field, factory_matches, person_matches, search_field
from ims.responses.forms import LANGUAGE_CHOICES
from ims.responses.models import Objection


class NoteTranslationForm(forms.Form):
    language = forms.ChoiceField(label=_("Translated into"), choices=LANGUAGE_CHOICES)
    text = forms.CharField(label=_("Translation"), widget=forms.Textarea(attrs={"rows": 4, "cols": 60}))


class ApprovedFilterForm(ListFilters):
    """Approved reports by factory (any of its names or its reference), monitor and the day last approved.
    The queryset is annotated with last_approved (ims.reports.pages)."""

    factory = factory_field()
    monitor = search_field(_("Monitor"))
    since = date_field(_("Approved from"))
    until = date_field(_("Approved until"))
    date_ranges = (("since", "until"),)

    def narrow(self, assessments, data):
        if data["factory"]:
            assessments = assessments.filter(factory_matches(data["factory"], "factory"))
        if data["monitor"]:
            assessments = assessments.filter(pk__in=Assessment.objects.filter(
                person_matches(data["monitor"], "team__user")).values("pk"))  # fmt: skip
        if data["since"]:
            assessments = assessments.filter(last_approved__date__gte=data["since"])
        if data["until"]:
            assessments = assessments.filter(last_approved__date__lte=data["until"])
        return assessments


class RuledFilterForm(ListFilters):
    """Objections ruled on, by factory, decision and the day of the ruling."""

    factory = factory_field()
    decision = forms.ChoiceField(label=_("Decision"), required=False, choices=[
        ("", _("All decisions")), *(choice for choice in Objection.Status.choices if choice[0] != Objection.Status.OPEN)
    ])  # fmt: skip
    since = date_field(_("Ruled from"))
    until = date_field(_("Ruled until"))
    date_ranges = (("since", "until"),)

    def narrow(self, objections, data):
        if data["factory"]:
            objections = objections.filter(factory_matches(data["factory"], "finding__assessment__factory"))
        if data["decision"]:
            objections = objections.filter(status=data["decision"])
        if data["since"]:
            objections = objections.filter(ruled_at__date__gte=data["since"])
        if data["until"]:
            objections = objections.filter(ruled_at__date__lte=data["until"])
        return objections
