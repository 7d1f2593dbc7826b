from django import forms
from django.utils.translation import gettext_lazy as _

from ims.core.numbers import RecordChoiceField
from ims.factories.models import Province, Sector

MAX_IMPORT_BYTES = 5 * 1024 * 1024


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    province = RecordChoiceField(
        label=_("Province"), queryset=Province.objects.all(), required=False, empty_label=_("All provinces")
    )
    sector = forms.ChoiceField(label=_("Sector"), choices=[("", _("All sectors")), *Sector.choices], required=False)

    def filter(self, factories):
        data = self.cleaned_data
        factories = factories.search(data["q"])
        if data["province"]:
            factories = factories.filter(province=data["province"])
        if data["sector"]:
            factories = factories.filter(sector=data["sector"])
        return factories


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Factories CSV file"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload
