from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ims.accounts.models import Organisation
from ims.core.listing import ListFilters, factory_at, factory_field, search_field
from ims.core.numbers import RecordChoiceField
from ims.factories.models import Factory
from ims.people import invitations
from ims.people.models import AccessRequest


class InvitationForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    email = forms.EmailField(label=_("Email address"))
    organisation = RecordChoiceField(label=_("Organisation"), queryset=Organisation.objects.none())
    role = forms.ChoiceField(label=_("Role"))
    language = forms.ChoiceField(label=_("Language of the email"), choices=settings.LANGUAGES)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = invitations.organisations_for(actor)
        self.fields["role"].choices = [(role.value, role.label) for role in invitations.roles_for(actor)]


class AccessRequestForm(forms.Form):
    factory = forms.ModelChoiceField(
        label=_("Factory"), queryset=Factory.objects.order_by("name_en"), to_field_name="ref"
    )
    message = forms.CharField(label=_("Message to the factory (optional)"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip


class AccessDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("grant", _("Grant")), ("decline", _("Decline"))])
    expires_on = forms.DateField(label=_("Access until (optional)"), required=False)


class InvitationFilterForm(ListFilters):
    """Invitations waiting to be accepted, by the name or email address of the person invited."""

    person = search_field(_("Name or email address"))

    narrowing = {"person": lambda text: Q(full_name__icontains=text) | Q(email__icontains=text)}


class RequestFilterForm(ListFilters):
    """A buyer's access requests by factory (any of its names or its reference) and answer."""

    factory = factory_field()
    decision = forms.ChoiceField(label=_("Answer"), required=False,
                                 choices=[("", _("All answers")), *AccessRequest.Decision.choices])  # fmt: skip

    narrowing = {"factory": factory_at("factory"), "decision": "decision"}
