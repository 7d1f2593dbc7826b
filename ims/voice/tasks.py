"""Background work of worker voice: alert emails retried hourly until the outbox gives up."""

from crontask import cron
from django.tasks import task

from ims.notifications import outbox
from ims.voice.alerts import deliver_alert_emails
from ims.voice.models import AlertEmail


@cron("23 * * * *")
@task
def retry_alert_emails():
    """Hourly: alert emails that failed, or whose sending was interrupted, are tried again."""
    alert_ids = AlertEmail.objects.filter(outbox.retryable()).values_list("alert_id", flat=True).distinct()
    return sum(deliver_alert_emails(alert_id) for alert_id in sorted(set(alert_ids)))
