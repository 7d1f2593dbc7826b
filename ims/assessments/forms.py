from django import forms
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ims import policy
from ims.accounts.models import User
from ims.assessments.models import Assessment, Status
from ims.assessments.workflow import can_edit_findings
from ims.audit.models import record
from ims.checklists.models import ChecklistVersion
from ims.core.errors import Conflict, NotAllowed
from ims.core.listing import ListFilters, date_field, factory_at, factory_field
from ims.core.numbers import RecordChoiceField, RecordsChoiceField, WholeNumberField
from ims.factories.models import Factory

# Separates the reference from the name in the factory picker's suggestions.
FACTORY_LABEL_SEPARATOR = " · "


def factory_label(factory):
    return f"{factory.ref}{FACTORY_LABEL_SEPARATOR}{factory.name_en}"


def monitor_choices():
    return policy.users_who_may("assessment.join_team").order_by("full_name")


class FactoryField(forms.CharField):
    """A factory typed by reference or name; the page offers "REF · Name" suggestions to pick from."""

    def to_python(self, value):
        text = super().to_python(value).strip()
        if not text:
            return None
        ref = text.split(FACTORY_LABEL_SEPARATOR, 1)[0].strip()
        factory = Factory.objects.filter(ref__iexact=ref).first()
        if factory is not None:
            return factory
        matches = list(Factory.objects.search(text)[:2])
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise forms.ValidationError(_("No factory matches “%(text)s”.") % {"text": text})
        raise forms.ValidationError(_("Several factories match “%(text)s”; choose one from the list.") % {"text": text})


class AssessmentFilterForm(ListFilters):
    """Narrows a list of assessments by factory, monitor, status and visit dates; every field may stay empty."""

    factory = factory_field()
    monitor: RecordChoiceField = RecordChoiceField(
        label=gettext_lazy("Monitor"), queryset=None, required=False, empty_label=gettext_lazy("All monitors")
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"), choices=[("", gettext_lazy("All statuses")), *Status.choices], required=False
    )
    visit_from = date_field(gettext_lazy("Visits from"))
    visit_to = date_field(gettext_lazy("Visits until"))
    date_ranges = (("visit_from", "visit_to"),)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["monitor"].queryset = monitor_choices()

    # A visit overlapping the period counts: it ends on or after its start and starts on or before its end.
    narrowing = {"factory": factory_at("factory"), "monitor": "team__user", "status": "status",
                 "visit_from": "visit_end__gte", "visit_to": "visit_start__lte"}  # fmt: skip


class PlanForm(forms.Form):
    factory = FactoryField(
        label=gettext_lazy("Factory"),
        help_text=gettext_lazy("Type a reference or a name in any script and pick it from the list."),
        widget=forms.TextInput(attrs={"list": "factory-options", "autocomplete": "off"}),
    )
    version = RecordChoiceField(
        label=gettext_lazy("Checklist version"), queryset=ChecklistVersion.objects.all(), empty_label=None
    )
    type = forms.ChoiceField(label=gettext_lazy("Type of visit"), choices=Assessment.Type.choices)
    visit_start = forms.DateField(label=gettext_lazy("First visit day"), widget=forms.DateInput(attrs={"type": "date"}))
    visit_end = forms.DateField(label=gettext_lazy("Last visit day"), widget=forms.DateInput(attrs={"type": "date"}))
    lead = RecordChoiceField(
        label=gettext_lazy("Lead monitor"), queryset=User.objects.none(), empty_label=gettext_lazy("Choose a monitor")
    )
    monitors = RecordsChoiceField(
        label=gettext_lazy("Other monitors"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = monitor_choices()
        self.fields["monitors"].queryset = monitor_choices()
        self.fields["version"].initial = ChecklistVersion.objects.first()

    def team(self):
        """The lead first (the service makes the first monitor the lead), then the others."""
        lead = self.cleaned_data["lead"]
        return [lead, *(user for user in self.cleaned_data["monitors"] if user != lead)]


class AssessmentDetailsForm(forms.ModelForm):
    """Interview counts and workforce at the visit, edited while findings are editable.

    Saved with an optimistic lock on the assessment's row_version, so two monitors
    editing the figures at once cannot overwrite each other unknowingly.
    """

    row_version = WholeNumberField(widget=forms.HiddenInput)

    class Meta:
        model = Assessment
        fields = ["interviews_workers", "interviews_managers", "interviews_union", "workers_total", "workers_female"]
        widgets = {name: forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}) for name in fields}
        field_classes = dict.fromkeys(fields, WholeNumberField)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("row_version", self.instance.row_version)

    @transaction.atomic
    def save(self, actor):
        assessment = self.instance
        if not can_edit_findings(assessment, actor):
            raise NotAllowed(_("You cannot change this assessment now."))
        values = {name: self.cleaned_data[name] for name in self.Meta.fields}
        updated = Assessment.objects.filter(pk=assessment.pk, row_version=self.cleaned_data["row_version"]).update(
            **values, row_version=F("row_version") + 1, updated_at=timezone.now()
        )
        if not updated:
            raise Conflict(_("Someone else changed this assessment since you opened it; reload the page."))
        record(actor, "assessment.details_updated", assessment, factory=assessment.factory, **values)
        assessment.refresh_from_db()
        return assessment
