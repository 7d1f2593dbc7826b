from django import forms
from django.utils.translation import gettext_lazy as _

from ims.core.listing import ListFilters, search_field
from ims.core.numbers import RecordChoiceField
from ims.factories.models import Province, Sector

MAX_IMPORT_BYTES = 5 * 1024 * 1024


class DirectoryFilterForm(ListFilters):
    q = search_field(_("Search"))
    province = RecordChoiceField(
        label=_("Province"), queryset=Province.objects.all(), required=False, empty_label=_("All provinces")
    )
    sector = forms.ChoiceField(label=_("Sector"), choices=[("", _("All sectors")), *Sector.choices], required=False)

    narrowing = {"province": "province", "sector": "sector"}

    def narrow(self, factories, data):
        return super().narrow(factories.search(data["q"]), data)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Factories CSV file"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload
