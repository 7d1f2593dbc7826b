from django import forms
from django.contrib.auth.forms import PasswordResetForm
from django.utils import translation

from ims.accounts.models import User


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "email", "preferred_language", "notice_delivery"]


class PasswordResetInOwnLanguageForm(PasswordResetForm):
    """Django's reset by email, written in the language the account reads rather than the page's."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, **kwargs):
        with translation.override(context["user"].preferred_language):
            super().send_mail(subject_template_name, email_template_name, context, from_email, to_email, **kwargs)
