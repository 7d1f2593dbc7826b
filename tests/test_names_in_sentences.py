"""A name ending in a full stop ("Co., Ltd.") at the end of a sentence is written with one full stop."""

import pytest
from django.test import Client

from ims.accounts.models import Organisation, Role
from ims.core.sentences import one_full_stop
from ims.notifications.models import Notice
from ims.notifications.notices import text_of

pytestmark = pytest.mark.usefixtures("tasks_run_immediately")


@pytest.mark.parametrize(
    ("sentence", "written"),
    [
        (
            "Brand A can now read the reports of Golden Garment Co., Ltd..",
            "Brand A can now read the reports of Golden Garment Co., Ltd.",
        ),
        (
            "You are invited as manager of Sun Co., Ltd.. Choose a password.",
            "You are invited as manager of Sun Co., Ltd. Choose a password.",
        ),
        ("Wait for it...", "Wait for it..."),
        ("Sun Co., Ltd.。", "Sun Co., Ltd.。"),
        ("Version 2026.1.", "Version 2026.1."),
    ],
)
def test_a_doubled_full_stop_is_written_once_and_an_ellipsis_stays(sentence, written):
    assert one_full_stop(sentence) == written


@pytest.mark.django_db
def test_granting_a_buyer_says_so_with_one_full_stop(team):
    team.factory.name_en = "Golden Garment Co., Ltd."
    team.factory.save()
    team.buyer_org.name = "Brand A Trading Co., Ltd."
    team.buyer_org.save()
    client = Client()
    client.force_login(team.manager)
    response = client.post("/en/access/", {"factory": team.factory.ref, "buyer": team.buyer_org.pk}, follow=True)
    assert "Brand A Trading Co., Ltd. can now read the reports of Golden Garment Co., Ltd." in response.text
    assert "Ltd.." not in response.text


@pytest.mark.django_db
def test_a_notice_of_an_access_request_ends_with_one_full_stop(team):
    team.factory.name_en = "Sun Co., Ltd."
    notice = Notice(event="access_requested", factory=team.factory, params={"buyer": "Brand A Co., Ltd."})
    assert text_of(notice) == "Brand A Co., Ltd. asks to read the reports of Sun Co., Ltd."


@pytest.mark.django_db
def test_an_invitation_to_an_organisation_ending_in_a_full_stop_reads_right(
    programme_admin, smtp_server, site_url, django_capture_on_commit_callbacks
):
    organisation = Organisation.objects.create(name="Sun Garment Co., Ltd.", kind=Organisation.Kind.BUYER)
    client = Client()
    client.force_login(programme_admin)
    with django_capture_on_commit_callbacks(execute=True):
        invitation = {"full_name": "Sok Kanha", "email": "new@example.org", "language": "en",
                      "organisation": organisation.pk, "role": Role.BUYER_VIEWER}  # fmt: skip
        client.post("/en/accounts/invitations/", invitation)
    [email] = smtp_server.to("new@example.org")
    body = email.body.replace("\r\n", "\n")
    assert " of Sun Garment Co., Ltd.\n" in body and "Ltd.." not in body
    link = email.body.split(site_url, 1)[1].split()[0]
    page = Client().get(link).text
    assert "of Sun Garment Co., Ltd. Choose a password" in page and "Ltd.." not in page
