from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ims import policy
from ims.core.listing import ListFilters, date_field, factory_field, factory_matches, person_at, search_field
from ims.core.numbers import AmountField, RecordChoiceField, WholeNumberField, WholeNumberFormSet
from ims.factories.models import Factory
from ims.training.models import Enrolment, ImprovementItem, Participant, TrainingModule, TrainingProgramme

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ModuleChoiceField(RecordChoiceField):
    def label_from_instance(self, module):
        return f"{module.programme} · {module.order}. {module}"


class SessionForm(forms.Form):
    module = ModuleChoiceField(
        label=_("Module"), queryset=TrainingModule.objects.select_related("programme"), empty_label=None
    )
    start_date = forms.DateField(label=_("First day"), widget=DATE_INPUT)
    end_date = forms.DateField(label=_("Last day"), widget=DATE_INPUT)
    venue = forms.CharField(label=_("Venue"), max_length=300)
    languages = forms.MultipleChoiceField(
        label=_("Languages"), choices=settings.LANGUAGES, widget=forms.CheckboxSelectMultiple
    )
    trainer = RecordChoiceField(
        label=_("Trainer"), queryset=policy.users_who_may("training.be_trainer"), empty_label=None
    )
    capacity = WholeNumberField(label=_("Seats"), min_value=1, max_value=1000)
    seats_per_factory = WholeNumberField(
        label=_("Seats per factory (optional)"), min_value=1, max_value=1000, required=False
    )
    fee = AmountField(label=_("Fee per factory (USD)"), min_value=0, max_digits=9, decimal_places=2, initial=0)


class EnrolmentForm(forms.Form):
    factory = RecordChoiceField(
        label=_("Factory"), queryset=Factory.objects.filter(status=Factory.Status.ACTIVE), to_field_name="ref"
    )


class ParticipantForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    position = forms.CharField(label=_("Position"), max_length=200, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Participant.Role.choices)
    gender = forms.ChoiceField(label=_("Gender"), choices=Participant.Gender.choices)


ParticipantFormSet = forms.formset_factory(ParticipantForm, formset=WholeNumberFormSet, extra=6, max_num=60)


def named_participants(formset):
    """The rows with a name; empty rows of the form are ignored."""
    return [form.cleaned_data for form in formset if form.cleaned_data.get("name", "").strip()]


class PlanItemForm(forms.Form):
    action = forms.CharField(label=_("Action"), widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.CharField(label=_("Owner at the factory"), max_length=200)
    due_date = forms.DateField(label=_("Due date"), widget=DATE_INPUT)


class ItemStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ImprovementItem.Status.choices)


class SessionFilterForm(ListFilters):
    """Sessions by an enrolled factory (any of its names or its reference), programme, trainer and dates."""

    factory = factory_field()
    programme = forms.ModelChoiceField(label=_("Programme"), required=False, to_field_name="code",
                                       queryset=TrainingProgramme.objects.all(),
                                       empty_label=_("All programmes"))  # fmt: skip
    trainer = search_field(_("Trainer"))
    since = date_field(_("From"))
    until = date_field(_("Until"))
    date_ranges = (("since", "until"),)

    narrowing = {
        "factory": lambda text: Q(
            pk__in=Enrolment.objects.filter(factory_matches(text, "factory")).values("session_id")
        ),
        "programme": "module__programme",
        "trainer": person_at("trainer"),
        "since": "end_date__gte",  # a session overlapping the period
        "until": "start_date__lte",
    }
