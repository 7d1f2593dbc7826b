import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ims import policy
from ims.accounts.models import Organisation
from ims.core.dates import require_within, years_from_today
from ims.core.errors import Invalid
from ims.core.listing import ListFilters, search_field
from ims.core.numbers import RecordChoiceField
from ims.responses.grants import MAX_GRANT_YEARS


class GrantForm(forms.Form):
    """A factory manager lets a buyer organisation read the factory's reports, optionally until a date."""

    factory: RecordChoiceField = RecordChoiceField(queryset=None, to_field_name="ref", widget=forms.HiddenInput)
    buyer = RecordChoiceField(
        label=_("Buyer"), queryset=Organisation.objects.filter(kind=Organisation.Kind.BUYER), empty_label=None
    )
    expires_on = forms.DateField(
        label=_("Access until (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Leave empty to grant access until you revoke it."),
    )

    def __init__(self, *args, factories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["factory"].queryset = factories

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        if day is not None and day < timezone.localdate():
            raise forms.ValidationError(gettext("The expiry must be in the future."))
        if day is not None:
            try:
                require_within(day, gettext("The expiry"), earliest=timezone.localdate(),
                               latest=years_from_today(MAX_GRANT_YEARS))  # fmt: skip
            except Invalid as error:
                raise forms.ValidationError(error.message) from None
        return day

    def offer_buyers_without_access(self, factory):
        """The picker offers only buyers that cannot read the factory's reports yet (a buyer granted access
        appears in the table above it, with its expiry)."""
        granted = policy.grants_in_force().filter(factory=factory).values("buyer")
        self.fields["buyer"].queryset = self.fields["buyer"].queryset.exclude(pk__in=granted).order_by("name")

    def expires_at(self):
        """Access lasts through the whole chosen day, in the programme's time zone."""
        day = self.cleaned_data["expires_on"]
        if day is None:
            return None
        return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))


class GrantFilterForm(ListFilters):
    """A factory's access grants by buyer name and state (in force, expired, revoked)."""

    buyer_name = search_field(_("Buyer"))
    state = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, states, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("All statuses")), *states.items()]

    def narrow(self, grants, data):
        if data["buyer_name"]:
            grants = grants.filter(buyer__name__icontains=data["buyer_name"])
        in_force = policy.grants_in_force().values("pk")
        if data["state"] == "active":
            grants = grants.filter(pk__in=in_force)
        elif data["state"] == "revoked":
            grants = grants.filter(revoked_at__isnull=False)
        elif data["state"] == "expired":
            grants = grants.filter(revoked_at__isnull=True).exclude(pk__in=in_force)
        return grants
