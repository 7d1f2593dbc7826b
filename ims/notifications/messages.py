"""What a notification says, in the contact's language: an email or a printed letter."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from ims.core.i18n import NATIVE_NAMES


def site_url():
    """Where people sign in; mail is read away from any request, so the address comes from settings."""
    return settings.IMS_SITE_URL.rstrip("/")


def _context(notification):
    """Names, dates and links follow the active language: call inside translation.override."""
    revision = notification.revision
    assessment = revision.assessment
    return {
        "contact": notification.contact,
        "factory": assessment.factory,
        "factory_name": assessment.factory.display_name,
        "assessment": assessment,
        "revision": revision,
        "is_correction": revision.number > 1,
        "language_name": NATIVE_NAMES.get(notification.language, notification.language),
        "sign_in_url": site_url() + reverse("accounts:login"),
        # The report itself: the page asks to sign in first, then opens it.
        "report_url": site_url()
        + reverse("reports:revision", kwargs={"ref": assessment.ref, "number": revision.number}),
    }


def render_email(notification):
    """The subject (one line) and plain-text body, in the notification's language."""
    with translation.override(notification.language):
        context = _context(notification)
        subject = render_to_string("notifications/email/report_published_subject.txt", context)
        body = render_to_string("notifications/email/report_published_body.txt", context)
    return " ".join(subject.split()), body


def render_letter(notification):
    """The printed letter as HTML, in the notification's language."""
    with translation.override(notification.language):
        return render_to_string("notifications/letter.html", _context(notification))
