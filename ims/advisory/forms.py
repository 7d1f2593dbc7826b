"""Input of advisory records; the rules are in ims.advisory.services."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ims import policy
from ims.advisory.models import CommitteeMember, EngagementCycle, Gender, RoadmapItem
from ims.core.listing import ListFilters, factory_at, factory_field, person_matches, search_field
from ims.core.numbers import RecordChoiceField, WholeNumberField
from ims.responses.forms import LANGUAGE_CHOICES


def _date(label):
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


def _advisor():
    return RecordChoiceField(
        label=_("Advisor"),
        queryset=policy.users_who_may("advisory.be_advisor").order_by("full_name"),
    )


def _language(label):
    return forms.ChoiceField(label=label, choices=LANGUAGE_CHOICES)


class CycleForm(forms.Form):
    start = _date(_("Start"))
    advisor = _advisor()


class CloseCycleForm(forms.Form):
    end = _date(_("End"))


class VisitForm(forms.Form):
    date = _date(_("Visit date"))
    advisor = _advisor()
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 6, "cols": 60}))
    note_language = _language(_("Language of the notes"))


class CommitteeForm(forms.Form):
    formed_on = _date(_("Formed on"))


class MemberForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    role = forms.ChoiceField(label=_("Role"), choices=CommitteeMember.Role.choices)
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices)
    elected_on = _date(_("Elected or appointed on"))


class MeetingForm(forms.Form):
    date = _date(_("Meeting date"))
    attendees = WholeNumberField(label=_("Attendees"), min_value=1)
    minutes_summary = forms.CharField(label=_("Summary of the minutes"), widget=forms.Textarea(attrs={"rows": 5}))
    decisions = forms.CharField(label=_("Decisions"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    language = _language(_("Language of the minutes"))


class RoadmapItemForm(forms.Form):
    title = forms.CharField(label=_("Improvement"), max_length=300)
    language = _language(_("Language of the title"))
    owner = forms.CharField(label=_("Responsible person"), max_length=200)
    due = _date(_("Due date"))


class RoadmapStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=RoadmapItem.Status.choices)


class EngagedFilterForm(ListFilters):
    """Factories in advisory engagement by name (any script) or reference, advisor, and whether a cycle is open."""

    OPEN = "open"
    factory = factory_field()
    advisor = search_field(_("Advisor"))
    cycle = forms.ChoiceField(label=_("Engagement"), required=False,
                              choices=[("", _("Open or ended")), (OPEN, _("With an open cycle"))])  # fmt: skip

    narrowing = {
        "factory": factory_at(),
        "advisor": lambda text: Q(
            pk__in=EngagementCycle.objects.filter(person_matches(text, "advisor")).values("factory_id")
        ),
        "cycle": lambda _open: Q(open_cycles__gt=0),
    }
