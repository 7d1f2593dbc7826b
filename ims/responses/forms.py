"""Input of the factory's responses and of the head's rulings; the rules are in ims.responses.services."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ims.assessments.models import Answer
from ims.core.i18n import NATIVE_NAMES
from ims.core.numbers import WholeNumberField
from ims.responses.models import ActionPlanItem, Objection

LANGUAGE_CHOICES = [(code, NATIVE_NAMES.get(code, name)) for code, name in settings.LANGUAGES]


def _textarea(rows=4):
    return forms.Textarea(attrs={"rows": rows, "cols": 60})


def _normalised(text):
    """Browsers send textarea line breaks as CRLF; store them as the rest of the system does."""
    return (text or "").replace("\r\n", "\n")


class ObjectionForm(forms.Form):
    text = forms.CharField(label=_("Why the finding is wrong"), widget=_textarea(6))
    language = forms.ChoiceField(
        label=_("Language of your text"),
        choices=LANGUAGE_CHOICES,
        widget=forms.Select(attrs={"class": "language-names"}),  # see .language-names in ims.css
    )

    def clean_text(self):
        return _normalised(self.cleaned_data["text"])


class ActionForm(forms.Form):
    action = forms.CharField(label=_("Corrective action"), widget=_textarea(3))
    owner = forms.CharField(label=_("Responsible person"), max_length=200)
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def clean_action(self):
        return _normalised(self.cleaned_data["action"])


class ActionUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ActionPlanItem.Status.choices)
    note = forms.CharField(label=_("Progress note"), widget=_textarea(3), required=False)
    # The version the user saw: an update based on an older one is refused, not silently applied.
    row_version = WholeNumberField(widget=forms.HiddenInput)

    def clean_note(self):
        return _normalised(self.cleaned_data["note"])


class RulingForm(forms.Form):
    """The head's decision on one objection; answer and note matter only when the finding is revised."""

    objection = WholeNumberField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        choices=[(Objection.Status.UPHELD, _("Uphold")), (Objection.Status.REVISED, _("Revise"))]
    )
    ruling = forms.CharField(label=_("Ruling"), widget=_textarea(3))
    answer = forms.ChoiceField(
        label=_("New answer"), choices=[("", _("Keep the answer")), *Answer.choices], required=False
    )
    note = forms.CharField(label=_("Monitor's note"), widget=_textarea(3), required=False)

    def clean_ruling(self):
        return _normalised(self.cleaned_data["ruling"])

    def clean_note(self):
        return _normalised(self.cleaned_data["note"])

    def revision(self):
        """The changes to pass to the service: none when upholding, else the new answer and note."""
        data = self.cleaned_data
        if data["decision"] != Objection.Status.REVISED:
            return {}
        return {"answer": data["answer"] or None, "note": data["note"]}
