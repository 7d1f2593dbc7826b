from django import forms
from django.utils.translation import gettext_lazy as _

from ims.responses.forms import LANGUAGE_CHOICES


class NoteTranslationForm(forms.Form):
    language = forms.ChoiceField(label=_("Translated into"), choices=LANGUAGE_CHOICES)
    text = forms.CharField(label=_("Translation"), widget=forms.Textarea(attrs={"rows": 4, "cols": 60}))
