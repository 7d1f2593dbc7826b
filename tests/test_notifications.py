"""Publication notices: emails through a real SMTP server in each contact's language, letters for the rest."""

from datetime import timedelta
from io import StringIO
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.utils import formats, timezone, translation
from django.utils.translation import gettext

from ims.assessments.models import ReportRevision
from ims.assessments.publishing import publish
from ims.assessments.workflow import transition
from ims.audit.models import AuditEvent
from ims.notifications.models import Notification
from ims.notifications.services import _send_email
from ims.notifications.tasks import notify_report_published
from tests.factories import fill_findings

# Notices go out as tasks run; the PDFs publication also asks for are another module's business.
pytestmark = pytest.mark.usefixtures("tasks_run_immediately", "pdfs_not_typeset")
SUBJECT = "Assessment report published: %(factory)s"
PUBLISHED = (
    "The report of the assessment of %(factory_name)s (visit from %(start)s to %(end)s) is published: "
    "revision %(number)s."
)
CORRECTION = "This revision corrects the earlier report. Reason for the correction:"


def contact_mail(smtp_server):
    """The messages to the factory's contacts (its managers' accounts are told in ims.notifications.notices)."""
    return [
        received
        for received in smtp_server.received
        if all(address.endswith("@team-factory.example") for address in received.recipients)
    ]


def names(team):
    return {"en": team.factory.name_en, "km": team.factory.name_km, "zh-hans": team.factory.name_zh}


def expected_text(language, message, **values):
    with translation.override(language):
        return gettext(message) % values


def visit_text(language, assessment, number):
    with translation.override(language):
        return gettext(PUBLISHED) % {
            "factory_name": assessment.factory.display_name,
            "start": formats.date_format(assessment.visit_start, "DATE_FORMAT"),
            "end": formats.date_format(assessment.visit_end, "DATE_FORMAT"),
            "number": number,
        }


def publish_directly(assessment, team, capture, reason=""):
    """The publication service alone (no 274 answers): enough for what notifications read."""
    with capture(execute=True):
        return publish(assessment, team.head, reason=reason)


@pytest.mark.django_db
def test_approval_emails_each_contact_in_their_language_once_and_queues_a_letter(
    client, assessment, team, contacts, smtp_server, site_url, django_capture_on_commit_callbacks
):
    transition(assessment, "start", team.monitor)
    fill_findings(assessment, team.monitor)
    transition(assessment, "submit", team.monitor)
    with django_capture_on_commit_callbacks(execute=True):
        transition(assessment, "approve", team.head)
    revision = ReportRevision.objects.get(assessment=assessment)

    assert sorted(address for received in contact_mail(smtp_server) for address in received.recipients) == sorted(
        contact.email for contact in contacts.values() if contact.email
    )
    for language, factory_name in names(team).items():
        (received,) = smtp_server.to(contacts[language].email)
        assert received.subject == expected_text(language, SUBJECT, factory=factory_name)
        assert factory_name in received.subject
        assert visit_text(language, assessment, 1) in received.body
        report_page = f"/{language}/reports/{assessment.ref}/revisions/1/"
        assert f"{site_url}{report_page}" in received.body.split()
        asks_to_sign_in = client.get(report_page)
        assert asks_to_sign_in["Location"] == f"/{language}/accounts/login/?next={quote(report_page)}"
        assert received.message["Content-Language"] == language
        assert CORRECTION not in received.body
    # The other scripts' names stay out of each message.
    assert team.factory.name_zh not in smtp_server.to(contacts["km"].email)[0].body
    assert team.factory.name_km not in smtp_server.to(contacts["zh-hans"].email)[0].body

    notifications = {n.contact_id: n for n in Notification.objects.filter(revision=revision)}
    assert len(notifications) == 4
    for language in ("km", "zh-hans", "en"):
        sent = notifications[contacts[language].pk]
        assert (sent.channel, sent.status, sent.language, sent.attempts) == ("email", "sent", language, 1)
        assert sent.sent_at is not None
    letter = notifications[contacts["paper"].pk]
    assert (letter.channel, letter.status, letter.language, letter.sent_at) == ("paper", "queued", "km", None)

    result = notify_report_published.enqueue(revision.pk)
    assert result.return_value == {"sent": 0, "failed": 0, "paper": 0}
    assert len(contact_mail(smtp_server)) == 3
    assert Notification.objects.filter(revision=revision).count() == 4


@pytest.mark.django_db
def test_a_correction_tells_its_number_and_reason(
    assessment, team, contacts, smtp_server, django_capture_on_commit_callbacks
):
    publish_directly(assessment, team, django_capture_on_commit_callbacks)
    publish_directly(assessment, team, django_capture_on_commit_callbacks, reason="Fire exits were open after all.")
    first, second = smtp_server.to(contacts["zh-hans"].email)
    assert CORRECTION not in first.body
    assert visit_text("zh-hans", assessment, 2) in second.body
    assert expected_text("zh-hans", CORRECTION) in second.body
    assert "Fire exits were open after all." in second.body
    assert Notification.objects.filter(contact=contacts["paper"]).count() == 2


@pytest.mark.django_db
def test_a_single_day_visit_is_named_as_one_day(
    assessment, team, contacts, smtp_server, django_capture_on_commit_callbacks
):
    assessment.visit_end = assessment.visit_start
    assessment.save()
    publish_directly(assessment, team, django_capture_on_commit_callbacks)
    (received,) = smtp_server.to(contacts["en"].email)
    assert "(visit on Nov. 2, 2026)" in received.body


@pytest.mark.django_db
def test_an_smtp_outage_marks_emails_failed_and_a_later_run_sends_them(
    assessment, team, contacts, smtp_server, django_capture_on_commit_callbacks
):
    smtp_server.stop()
    revision = publish_directly(assessment, team, django_capture_on_commit_callbacks)
    emails = Notification.objects.filter(revision=revision, channel="email")
    assert set(emails.values_list("status", flat=True)) == {"failed"}
    assert all("Connection" in error or "refused" in error for error in emails.values_list("error", flat=True))
    assert Notification.objects.get(contact=contacts["paper"]).status == "queued"

    smtp_server.start()
    output = StringIO()
    call_command("retry_notifications", stdout=output)
    assert "Queued 1 report revision(s)" in output.getvalue()
    assert set(emails.values_list("status", flat=True)) == {"sent"}
    assert set(emails.values_list("error", flat=True)) == {""}
    assert set(emails.values_list("attempts", flat=True)) == {2}
    assert sorted(address for received in contact_mail(smtp_server) for address in received.recipients) == sorted(
        [contacts["km"].email, contacts["zh-hans"].email, contacts["en"].email]
    )


@pytest.mark.django_db
def test_a_refused_address_does_not_stop_the_others(
    assessment, team, contacts, smtp_server, django_capture_on_commit_callbacks
):
    smtp_server.refuse = {contacts["km"].email}
    revision = publish_directly(assessment, team, django_capture_on_commit_callbacks)
    statuses = dict(Notification.objects.filter(revision=revision).values_list("contact__name", "status"))
    assert statuses == {"Sok Sophea": "failed", "Wang Li": "sent", "Jane Smith": "sent", "Chan Dara": "queued"}
    assert "550" in Notification.objects.get(contact=contacts["km"]).error
    assert len(contact_mail(smtp_server)) == 2

    smtp_server.refuse = set()
    result = notify_report_published.enqueue(revision.pk)
    assert result.return_value == {"sent": 1, "failed": 0, "paper": 0}
    assert len(smtp_server.to(contacts["km"].email)) == 1
    assert len(smtp_server.to(contacts["en"].email)) == 1


@pytest.mark.django_db
def test_an_email_being_sent_by_another_worker_is_left_alone_unless_that_worker_died(
    assessment, team, contacts, smtp_server
):
    revision = publish(assessment, team.head)
    notification = Notification.objects.create(revision=revision, contact=contacts["en"], channel="email",
                                               language="en")  # fmt: skip
    Notification.objects.filter(pk=notification.pk).update(sending_since=timezone.now())
    assert _send_email(notification) == "skipped"
    assert smtp_server.received == []

    Notification.objects.filter(pk=notification.pk).update(sending_since=timezone.now() - timedelta(hours=1))
    assert _send_email(notification) == "sent"
    notification.refresh_from_db()
    assert (notification.status, notification.sending_since, notification.attempts) == ("sent", None, 1)
    assert len(smtp_server.to(contacts["en"].email)) == 1


@pytest.mark.django_db
def test_publishing_queues_the_task_for_the_database_worker(
    settings, monkeypatch, assessment, team, contacts, smtp_server, django_capture_on_commit_callbacks
):
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    revision = publish_directly(assessment, team, django_capture_on_commit_callbacks)
    notices = DBTaskResult.objects.filter(task_path="ims.notifications.tasks.notify_report_published")
    # One task for this revision, waiting for the worker: the approving request does not wait for the mail server.
    assert [(task.args_kwargs["args"], task.status) for task in notices] == [([revision.pk], TaskResultStatus.READY)]
    assert not Notification.objects.exists() and smtp_server.received == []

    # The worker drops connections between tasks; that would end the test's transaction on PostgreSQL.
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    call_command("db_worker", batch=True, startup_delay=False, verbosity=0)
    assert Notification.objects.filter(revision=revision, status="sent").count() == 3
    assert len(contact_mail(smtp_server)) == 3


@pytest.fixture
def queued_letter(assessment, team, contacts, smtp_server, django_capture_on_commit_callbacks):
    publish_directly(assessment, team, django_capture_on_commit_callbacks)
    return Notification.objects.get(contact=contacts["paper"])


@pytest.mark.django_db
def test_the_paper_queue_is_for_programme_staff_only(client, team, queued_letter, make_user):
    client.force_login(team.monitor)
    response = client.get("/en/notifications/paper/")
    assert response.status_code == 200
    assert "Team Factory" in response.text and "Chan Dara" in response.text and "012 345 678" in response.text
    assert f'name="notification" value="{queued_letter.pk}"' in response.text
    assert "Sok Sophea" not in response.text  # emailed, so not on the paper queue

    superuser = make_user("root@test.example", is_superuser=True)
    client.force_login(superuser)
    response = client.get("/en/notifications/paper/print/")
    assert response.status_code == 200 and "No letter selected" in response.text and "Chan Dara" not in response.text

    for outsider in (team.manager, team.buyer, team.partner):
        client.force_login(outsider)
        assert client.get("/en/notifications/paper/").status_code == 403
        assert client.get("/en/notifications/paper/print/").status_code == 403
        assert client.post("/en/notifications/paper/posted/", {"notification": queued_letter.pk}).status_code == 403
    client.logout()
    response = client.get("/en/notifications/paper/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    queued_letter.refresh_from_db()
    assert queued_letter.status == "queued"


@pytest.mark.django_db
def test_the_printable_batch_holds_a_letter_in_the_contacts_language(client, team, assessment, queued_letter, site_url):
    client.force_login(team.head)
    response = client.get("/en/notifications/paper/print/", {"notification": queued_letter.pk})
    assert response.status_code == 200
    page = response.text
    assert 'class="factory-page' in page and "notifications/paper.css" in page
    assert '<article class="letter" lang="km">' in page
    assert team.factory.name_km in page  # the Khmer contact reads the Khmer name
    assert "Chan Dara" in page and "HR officer" in page and "ខ្មែរ" in page
    assert visit_text("km", assessment, 1) in page
    assert f"{site_url}/km/accounts/login/" in page


@pytest.mark.django_db
def test_marking_letters_posted_records_who_and_when(client, team, queued_letter):
    client.force_login(team.head)
    response = client.post("/en/notifications/paper/posted/", {"notification": ["not-a-number"]})
    assert response.status_code == 400
    assert "Select at least one letter" in response.text

    response = client.post("/en/notifications/paper/posted/", {"notification": [queued_letter.pk]}, follow=True)
    assert response.status_code == 200
    assert "1 letter marked as posted." in response.text
    assert "No letters are waiting to be posted." in response.text
    queued_letter.refresh_from_db()
    assert (queued_letter.status, queued_letter.posted_by) == ("posted", team.head)
    assert queued_letter.posted_at is not None
    event = AuditEvent.objects.get(action="notification.posted")
    assert (event.actor, event.factory, event.object_id) == (team.head, team.factory, str(queued_letter.pk))

    # Posting twice (a double click) changes nothing and says so.
    assert client.post("/en/notifications/paper/posted/", {"notification": [queued_letter.pk]}).status_code == 400
    assert AuditEvent.objects.filter(action="notification.posted").count() == 1


@pytest.mark.django_db
def test_the_admin_lists_notifications_read_only(client, make_user, queued_letter):
    superuser = make_user("root@test.example", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    response = client.get("/en/admin/notifications/notification/")
    assert response.status_code == 200 and "Chan Dara" in response.text
    assert client.get("/en/admin/notifications/notification/add/").status_code == 403
