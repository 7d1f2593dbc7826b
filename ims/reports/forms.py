from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ims.assessments.models import Assessment
from ims.core.listing import ListFilters, date_field, factory_at, factory_field, person_matches, search_field
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

    narrowing = {
        "factory": factory_at("factory"),
        # A subquery: a join on the team would repeat an assessment once per matching monitor.
        "monitor": lambda text: Q(pk__in=Assessment.objects.filter(person_matches(text, "team__user")).values("pk")),
        "since": "last_approved__date__gte",
        "until": "last_approved__date__lte",
    }


class RuledFilterForm(ListFilters):
    """Objections ruled on, by factory, decision and the day of the ruling."""

    factory = factory_field()
    decision = forms.ChoiceField(label=_("Decision"), required=False, choices=[
        ("", _("All decisions")), *(choice for choice in Objection.Status.choices if choice[0] != Objection.Status.OPEN)
    ])  # fmt: skip
    since = date_field(_("Ruled from"))
    until = date_field(_("Ruled until"))
    date_ranges = (("since", "until"),)

    narrowing = {"factory": factory_at("finding__assessment__factory"), "decision": "status",
                 "since": "ruled_at__date__gte", "until": "ruled_at__date__lte"}  # fmt: skip
