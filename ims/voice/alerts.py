"""Telling the programme head about a grievance alert by email, in the head's language, once.

The email names the factory, the campaign and the kinds of grievance; it never quotes the worker.
"""

from django.core.mail import EmailMessage
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from ims.notifications import outbox
from ims.notifications.messages import site_url
from ims.voice.models import Alert, AlertEmail


def render_alert_email(alert, language):
    with translation.override(language):
        context = {
            "alert": alert,
            "factory_name": alert.factory.display_name,
            "factory_ref": alert.factory.ref,
            "kinds": [str(label) for label in alert.kind_labels()],
            "alerts_url": site_url() + reverse("voice:alerts"),
        }
        subject = render_to_string("voice/email/alert_subject.txt", context)
        body = render_to_string("voice/email/alert_body.txt", context)
    return " ".join(subject.split()), body


def deliver_alert_emails(alert_id):
    """Send each head's email still queued or failed; returns how many went."""
    alert = Alert.objects.select_related("factory", "campaign").get(pk=alert_id)
    sent = 0
    for email in AlertEmail.objects.filter(alert=alert).select_related("recipient").order_by("pk"):

        def compose(claimed, email=email):
            subject, body = render_alert_email(alert, email.recipient.preferred_language)
            headers = {
                "Content-Language": email.recipient.preferred_language,
                "Message-ID": outbox.message_id("voice-alert", email.pk),
            }
            return EmailMessage(subject, body, to=[email.recipient.email], headers=headers)

        sent += outbox.deliver(AlertEmail.objects.filter(pk=email.pk), compose) == "sent"
    return sent


@task
def send_alert_emails(alert_id):
    return deliver_alert_emails(alert_id)
