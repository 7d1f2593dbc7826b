from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from ims.accounts.models import ORGANISATION_KIND_OF_ROLE, Membership, Organisation, Role, User


class MembershipFormSet(BaseInlineFormSet):
    """On a new organisation the membership cannot see its kind yet: check the roles here."""

    def clean(self):
        super().clean()
        if not isinstance(self.instance, Organisation):
            return
        for form in self.forms:
            role = form.cleaned_data.get("role") if hasattr(form, "cleaned_data") else None
            if role and not form.cleaned_data.get("DELETE") and ORGANISATION_KIND_OF_ROLE[role] != self.instance.kind:
                raise ValidationError(
                    _("The role %(role)s belongs in a %(kind)s organisation.")
                    % {"role": Role(role).label, "kind": Organisation.Kind(ORGANISATION_KIND_OF_ROLE[role]).label}
                )


class MembershipInline(admin.TabularInline):
    model = Membership
    formset = MembershipFormSet
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "preferred_language", "is_active", "is_staff"]
    search_fields = ["email", "full_name"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Personal info"), {"fields": ["full_name", "preferred_language"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]}),
    ]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "partner_type", "factory"]
    list_filter = ["kind", "partner_type"]
    search_fields = ["name"]
    autocomplete_fields = ["factory"]
    inlines = [MembershipInline]
