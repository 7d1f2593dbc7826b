"""Notifications to users (issue 16): for each event, the email read back from a real SMTP server (the
recipient's language, a deep link to the item) and the notification in the app; once per event and
recipient, retried after a failure, immediately or in a daily digest."""

import re
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import formats, timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from ims.accounts.models import User
from ims.assessments.workflow import transition
from ims.notifications import notices
from ims.notifications.models import Notice
from ims.notifications.tasks import send_notices
from ims.people import announcements
from ims.responses.grants import grant_access, revoke_access
from ims.responses.services import add_action, object_to_finding, rule_on_objection
from tests.factories import fill_findings, finding

pytestmark = pytest.mark.usefixtures("tasks_run_immediately", "pdfs_not_typeset")

# The sentences as the source code words them; each test translates them itself.
SUBMITTED = "Draft %(ref)s of %(factory)s is submitted for your review."
RETURNED = "Draft %(ref)s of %(factory)s is returned to its team with comments."
PUBLISHED = "A report on %(factory)s is published: %(ref)s, revision %(revision)s."
OBJECTION_FILED = "%(factory)s objects to a finding of report %(ref)s."
RULING = "The programme ruled on an objection of %(factory)s to report %(ref)s."
ACCESS_GRANTED = "%(factory)s gives your organisation access to its reports."
ACCESS_REVOKED = "%(factory)s ended your organisation's access to its reports."
ACCESS_EXPIRING = "Your organisation's access to the reports of %(factory)s ends on %(date)s."
ACTION_OVERDUE = "A corrective action of %(factory)s is overdue since %(date)s."
FACTORY_NAMES = {"en": "Team Factory", "km": "រោងចក្រក្រុម", "zh-hans": "团队工厂"}


def said(language, sentence, **values):
    with translation.override(language):
        return gettext(sentence) % {"factory": FACTORY_NAMES[language], **values}


def speaks(user, language):
    User.objects.filter(pk=user.pk).update(preferred_language=language)
    user.refresh_from_db()
    return user


def told(smtp_server, site_url, user, sentence, path):
    """The one email the user got: its subject and body say `sentence`, and it links to `path` in the
    user's language. Returns the notice found in the app."""
    [email] = smtp_server.to(user.email)
    assert email.message["Content-Language"] == user.preferred_language
    assert sentence in email.body
    # a long encoded subject is folded, and the spaces around its encoded words are not kept
    assert sentence.replace(" ", "") in email.subject.replace(" ", "")
    assert f"{site_url}/{user.preferred_language}{path}" in email.body.split()
    [notice] = Notice.objects.filter(recipient=user)
    page = Client()
    page.force_login(user)
    listing = page.get(f"/{user.preferred_language}/notifications/")
    assert escape(sentence) in listing.text
    opened = page.get(f"/{user.preferred_language}/notifications/{notice.pk}/")
    assert opened.status_code == 302 and opened["Location"] == f"/{user.preferred_language}{path}"
    notice.refresh_from_db()
    assert notice.read_at is not None and notice.status == "sent" and notice.attempts == 1
    return notice


def submitted(assessment, team, capture):
    transition(assessment, "start", team.monitor)
    fill_findings(assessment, team.monitor, noncompliant=["OS.8.7"])
    with capture(execute=True):
        transition(assessment, "submit", team.monitor)


@pytest.fixture
def approved(assessment, team, django_capture_on_commit_callbacks):
    submitted(assessment, team, django_capture_on_commit_callbacks)
    return transition(assessment, "approve", team.head)


@pytest.mark.django_db
def test_a_submitted_draft_is_told_to_the_head(
    assessment, team, smtp_server, site_url, django_capture_on_commit_callbacks
):
    head = speaks(team.head, "km")
    submitted(assessment, team, django_capture_on_commit_callbacks)
    told(smtp_server, site_url, head, said("km", SUBMITTED, ref=assessment.ref), f"/reports/{assessment.ref}/review/")
    assert {r for email in smtp_server.received for r in email.recipients} == {head.email}


@pytest.mark.django_db
def test_a_returned_draft_is_told_to_each_monitor_of_the_team_in_their_language(
    assessment, team, smtp_server, site_url, django_capture_on_commit_callbacks
):
    submitted(assessment, team, django_capture_on_commit_callbacks)
    smtp_server.received.clear()
    with django_capture_on_commit_callbacks(execute=True):
        transition(assessment, "return", team.head, comment="Check the exits again")
    path = f"/assessments/{assessment.ref}/"
    for monitor in (team.monitor, team.monitor2):  # Khmer and English
        told(smtp_server, site_url, monitor, said(monitor.preferred_language, RETURNED, ref=assessment.ref), path)
    assert len(smtp_server.received) == 2


@pytest.mark.django_db
def test_a_publication_is_told_to_the_factory_managers_and_buyers_granted_access_now(
    assessment, team, smtp_server, site_url, django_capture_on_commit_callbacks
):
    grant_access(team.factory, team.buyer_org, team.manager)
    buyer = speaks(team.buyer, "km")
    submitted(assessment, team, django_capture_on_commit_callbacks)
    smtp_server.received.clear()
    Notice.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        transition(assessment, "approve", team.head)
    path = f"/reports/{assessment.ref}/revisions/1/"
    for reader in (team.manager, buyer):
        told(smtp_server, site_url, reader, said(reader.preferred_language, PUBLISHED, ref=assessment.ref, revision=1),
             path)  # fmt: skip
    for outsider in (team.other_manager, team.other_buyer, team.head, team.monitor):
        assert smtp_server.to(outsider.email) == [] and not Notice.objects.filter(recipient=outsider).exists()


@pytest.mark.django_db
def test_an_objection_is_told_to_the_head(approved, team, smtp_server, site_url, django_capture_on_commit_callbacks):
    smtp_server.received.clear()
    Notice.objects.all().delete()
    head = speaks(team.head, "zh-hans")
    with django_capture_on_commit_callbacks(execute=True):
        object_to_finding(finding(approved, "OS.8.7"), team.manager, "The exit is open now.", "en")
    told(smtp_server, site_url, head, said("zh-hans", OBJECTION_FILED, ref=approved.ref), "/reports/objections/")


@pytest.mark.django_db
def test_a_ruling_is_told_to_the_factory(approved, team, smtp_server, site_url, django_capture_on_commit_callbacks):
    objection = object_to_finding(finding(approved, "OS.8.7"), team.manager, "The exit is open now.", "en")
    smtp_server.received.clear()
    Notice.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        rule_on_objection(objection, team.head, "upheld", "The exit was locked during the day.")
    told(smtp_server, site_url, team.manager, said("zh-hans", RULING, ref=approved.ref),
         f"/reports/{approved.ref}/revisions/1/")  # fmt: skip


@pytest.mark.django_db
def test_access_granted_then_revoked_is_told_to_the_buyer(team, smtp_server, site_url,
                                                          django_capture_on_commit_callbacks):  # fmt: skip
    buyer = speaks(team.buyer, "km")
    with django_capture_on_commit_callbacks(execute=True):
        grant = grant_access(team.factory, team.buyer_org, team.manager)
    told(smtp_server, site_url, buyer, said("km", ACCESS_GRANTED), "/reports/")
    smtp_server.received.clear()
    Notice.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        revoke_access(grant, team.manager)
    told(smtp_server, site_url, buyer, said("km", ACCESS_REVOKED), "/")
    assert smtp_server.to(team.other_buyer.email) == []


@pytest.mark.django_db
def test_access_about_to_end_is_told_to_the_buyer_once(team, smtp_server, site_url, django_capture_on_commit_callbacks):
    buyer = speaks(team.buyer, "zh-hans")
    ends = timezone.now() + timedelta(days=3)
    grant_access(team.factory, team.buyer_org, team.manager, expires_at=ends)
    grant_access(team.other_factory, team.buyer_org, team.other_manager, expires_at=timezone.now() + timedelta(days=30))
    Notice.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        announcements.announce_daily()
        notices.send_immediate()
    with translation.override("zh-hans"):
        end = formats.date_format(timezone.localtime(ends).date(), "DATE_FORMAT")
    told(smtp_server, site_url, buyer, said("zh-hans", ACCESS_EXPIRING, date=end), "/reports/")
    announcements.announce_daily()  # the next day's scan
    assert notices.send_immediate() == {"sent": 0, "failed": 0, "skipped": 0}
    assert len(smtp_server.to(buyer.email)) == 1


@pytest.mark.django_db
def test_an_overdue_action_is_told_to_the_factory_once(approved, team, smtp_server, site_url):
    add_action(finding(approved, "OS.8.7"), team.manager, "Remove the padlocks", "Mr Dara", date(2026, 12, 1))
    smtp_server.received.clear()
    Notice.objects.all().delete()
    announcements.announce_daily(date(2026, 12, 1))  # due today: not overdue yet
    assert not Notice.objects.exists()
    announcements.announce_daily(date(2026, 12, 2))
    announcements.announce_daily(date(2026, 12, 3))
    notices.send_immediate()
    with translation.override("zh-hans"):
        due = formats.date_format(date(2026, 12, 1), "DATE_FORMAT")
    told(smtp_server, site_url, team.manager, said("zh-hans", ACTION_OVERDUE, date=due),
         f"/remediation/factories/{team.factory.ref}/")  # fmt: skip


@pytest.mark.django_db
def test_a_failed_email_is_retried_and_then_sent_once(team, smtp_server, site_url, django_capture_on_commit_callbacks):
    smtp_server.stop()
    with django_capture_on_commit_callbacks(execute=True):
        grant_access(team.factory, team.buyer_org, team.manager)
    notice = Notice.objects.get(recipient=team.buyer)
    assert (notice.status, notice.attempts) == ("failed", 1)
    smtp_server.start()
    assert send_notices.enqueue().return_value == {"sent": 1, "failed": 0, "skipped": 0}
    assert send_notices.enqueue().return_value == {"sent": 0, "failed": 0, "skipped": 0}
    [email] = smtp_server.to(team.buyer.email)
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == ("sent", 2)
    assert said("en", ACCESS_GRANTED) in email.subject


@pytest.mark.django_db
def test_the_daily_digest_gathers_a_persons_notifications_in_one_email(
    assessment, team, smtp_server, site_url, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=team.buyer.pk).update(notice_delivery=User.NoticeDelivery.DAILY, preferred_language="km")
    with django_capture_on_commit_callbacks(execute=True):
        grant = grant_access(team.factory, team.buyer_org, team.manager)
    with django_capture_on_commit_callbacks(execute=True):
        revoke_access(grant, team.manager)
    assert smtp_server.to(team.buyer.email) == []  # nothing until the digest
    assert notices.send_digests() == {"sent": 1, "failed": 0, "skipped": 0}
    [email] = smtp_server.to(team.buyer.email)
    assert said("km", ACCESS_GRANTED) in email.body and said("km", ACCESS_REVOKED) in email.body
    assert re.search(r"\b2\b", email.subject)
    assert f"{site_url}/km/reports/" in email.body.split()
    assert notices.send_digests() == {"sent": 0, "failed": 0, "skipped": 0}
    assert set(Notice.objects.filter(recipient=team.buyer).values_list("status", flat=True)) == {"sent"}


@pytest.mark.django_db
def test_the_header_counts_unread_notifications_and_nobody_opens_anothers(team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        grant = grant_access(team.factory, team.buyer_org, team.manager)
        revoke_access(grant, team.manager)
    buyer, other = Client(), Client()
    buyer.force_login(team.buyer)
    other.force_login(team.other_buyer)
    assert re.search(r'class="notices-link">Notifications <span[^>]*>2</span>', buyer.get("/en/").text)
    notice = Notice.objects.filter(recipient=team.buyer).first()
    assert other.get(f"/en/notifications/{notice.pk}/").status_code == 404
    buyer.get(f"/en/notifications/{notice.pk}/")
    assert re.search(r'class="notices-link">Notifications <span[^>]*>1</span>', buyer.get("/en/").text)
    buyer.post("/en/notifications/read/")
    assert 'class="notices-link">Notifications</a>' in buyer.get("/en/").text


@pytest.mark.django_db
def test_the_hourly_retry_sends_a_notification_that_failed(team, smtp_server, django_capture_on_commit_callbacks):
    smtp_server.stop()
    with django_capture_on_commit_callbacks(execute=True):
        grant_access(team.factory, team.buyer_org, team.manager)
    smtp_server.start()
    output = StringIO()
    call_command("retry_notifications", stdout=output)
    assert "Queued 1 notification(s) to users for another try." in output.getvalue()
    assert len(smtp_server.to(team.buyer.email)) == 1
    assert Notice.objects.get(recipient=team.buyer).status == "sent"
