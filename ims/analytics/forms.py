"""Choices a reader makes on the statistics pages: the year, and the directory's filters."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ims.analytics import services
from ims.factories.forms import DirectoryFilterForm


class YearForm(forms.Form):
    """A year with published data; the latest one when none is asked for."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.years = services.available_years()
        self.fields["year"].choices = [(year, str(year)) for year in reversed(self.years)]

    def chosen_year(self):
        """The valid year asked for, else the latest one (None when nothing is published yet)."""
        if self.is_bound and self.is_valid() and self.cleaned_data["year"]:
            return self.cleaned_data["year"]
        return self.years[-1] if self.years else None


class FactoryDirectoryForm(DirectoryFilterForm):
    """The public directory's filters: the registry's, plus the factory's compliance band."""

    band = forms.ChoiceField(label=_("Compliance"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["band"].choices = [("", _("Any compliance")), *services.COMPLIANCE_BANDS]

    def narrow(self, factories, data):
        factories = super().narrow(factories, data)
        if data["band"]:
            factories = services.filter_band(factories, data["band"])
        return factories
