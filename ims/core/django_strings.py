"""Django's own interface strings that our pages can show.

Django's Khmer catalog translates only part of them, so they are marked here to be
extracted into our catalogs under locale/, which take precedence over Django's.
"""

from django.utils.translation import gettext_noop

DJANGO_STRINGS = (
    gettext_noop("This field is required."),
    gettext_noop("Enter a valid email address."),
    gettext_noop("Enter a number."),
    gettext_noop("Enter a whole number."),
    gettext_noop("Enter a valid date."),
    gettext_noop("Select a valid choice. That choice is not one of the available choices."),
    gettext_noop("Select a valid choice. %(value)s is not one of the available choices."),
    gettext_noop("No file was submitted. Check the encoding type on the form."),
    gettext_noop("The submitted file is empty."),
    gettext_noop("Please enter a correct %(username)s and password. Note that both fields may be case-sensitive."),
    gettext_noop("This account is inactive."),
    gettext_noop("Email address"),
    gettext_noop("Password"),
    gettext_noop("yes,no,maybe"),
    gettext_noop("Yes"),
    gettext_noop("No"),
    gettext_noop("CSRF verification failed. Request aborted."),
)
