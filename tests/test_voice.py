"""Worker voice: RapidPro's webhook and the web survey, aggregates only from the minimum of workers, no phone
number stored anywhere, and grievance alerts to the programme head by email."""

import hashlib
import json
import re
import uuid
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import models
from django.db.models.functions import Cast
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ims.voice import services
from ims.voice.grievances import grievances_in
from ims.voice.models import Alert, Answer, Response

PHONE_DIGITS = "12345{:03d}"  # +855 12 345 0NN: the workers' numbers, in the URN and the input
WORKER_NAME = "Sreymom Chhun"


def payload(number, flow_uuid, answers, comment=None):
    """What RapidPro's "Call webhook" action POSTs by default, for one contact (goflow's legacy-shaped body)."""
    urn = f"tel:+855{PHONE_DIGITS.format(number)}"
    results = {
        key: {"name": key.replace("_", " ").title(), "value": value.title(), "category": value.title(),
              "input": value, "node_uuid": str(uuid.uuid4()), "created_on": "2026-12-01T08:00:00Z"}
        for key, value in answers.items()
    }  # fmt: skip
    if comment is not None:
        results["comment"] = {"name": "Comment", "value": comment, "category": "Has Text", "input": comment}
    return {
        "contact": {"uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"contact/{number}")), "name": f"{WORKER_NAME} {number}",
                    "urn": urn},
        "flow": {"uuid": str(flow_uuid), "name": "Worker survey", "revision": 12},
        "path": [{"uuid": str(uuid.uuid4()), "node_uuid": str(uuid.uuid4()), "arrived_on": "2026-12-01T08:00:00Z"}],
        "results": results,
        "run": {"uuid": str(uuid.uuid4()), "created_on": "2026-12-01T08:00:00Z"},
        "input": {"type": "msg_in", "text": comment or "no", "urn": {"display": urn, "path": urn[4:], "scheme": "tel"},
                  "channel": {"uuid": str(uuid.uuid4()), "name": "Smart SMS"}, "attachments": []},
    }  # fmt: skip


def post_webhook(client, campaign, secret, body):
    url = reverse("voice_api:rapidpro", args=[campaign.code])
    return client.post(url, json.dumps(body), content_type="application/json", HTTP_X_IMS_SECRET=secret)


def answer_on_the_web(client, campaign, token, answers, comment=""):
    url = reverse("voice_survey:answer", args=[campaign.code, token])
    assert client.get(url).status_code == 200
    return client.post(url, {**answers, "comment": comment})


@pytest.fixture
def campaigns(team):
    today = timezone.localdate()
    made = {}
    for factory in (team.factory, team.other_factory):
        flow = uuid.uuid5(uuid.NAMESPACE_URL, f"flow/{factory.ref}")
        campaign, secret = services.create_campaign(team.head, factory=factory, starts_on=today - timedelta(days=7),
                                                    ends_on=today + timedelta(days=7), rapidpro_flow=flow)  # fmt: skip
        made[factory.ref] = (campaign, secret, flow)
    return made


def text_columns_holding(fragment):
    """Every (table, column) of a text or JSON column in the database whose value contains the fragment."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField | models.JSONField):
                rows = model._base_manager.annotate(as_text=Cast(field.column, models.TextField()))
                if rows.filter(as_text__contains=fragment).exists():
                    found.append((model._meta.db_table, field.column))
    return found


def test_answers_from_rapidpro_and_the_web_show_only_where_enough_workers_answered_and_no_phone_is_stored(
    team, campaigns
):
    """Factory TEAM-1: 8 SMS workers and 2 web answer sets (10, the threshold); TEAM-2: 7 and 2 (9)."""
    sms, web = Client(), Client()
    number = 0
    for ref, by_sms in (("TEAM-1", 8), ("TEAM-2", 7)):
        campaign, secret, flow = campaigns[ref]
        for index in range(by_sms):
            number += 1
            # Every other worker was not paid all overtime: 4 of 8 at TEAM-1.
            answers = {"overtime_paid": "no" if index % 2 == 0 else "yes", "exits_open": "yes"}
            response = post_webhook(sms, campaign, secret, payload(number, flow, answers))
            assert response.status_code == 201, response.content
        for token in services.issue_cards(team.head, campaign, 2):
            assert answer_on_the_web(web, campaign, token, {"overtime_paid": "no"}).status_code == 201
    assert Response.objects.filter(campaign=campaigns["TEAM-1"][0]).count() == 10
    assert Response.objects.filter(campaign=campaigns["TEAM-2"][0]).count() == 9

    head = Client()
    head.force_login(team.head)
    shown = head.get(reverse("voice:campaign", args=[campaigns["TEAM-1"][0].code])).content.decode()
    row = re.search(r'<tr data-question="overtime_paid">.*?</tr>', shown, re.S).group(0)
    # 10 answered; 4 of the SMS workers and both web workers said no: 6 (60%).
    assert '<td class="number">10</td>' in row and "6 (60%)" in row
    hidden = head.get(reverse("voice:campaign", args=[campaigns["TEAM-2"][0].code])).content.decode()
    row = re.search(r'<tr data-question="overtime_paid">.*?</tr>', hidden, re.S).group(0)
    assert "Too few answers to show" in row and "60%" not in row and ">9<" not in row
    # The factory reads the same aggregates of its own campaign, and not another factory's.
    manager = Client()
    manager.force_login(team.manager)
    assert "6 (60%)" in manager.get(reverse("voice:campaign", args=[campaigns["TEAM-1"][0].code])).content.decode()
    assert manager.get(reverse("voice:campaign", args=[campaigns["TEAM-2"][0].code])).status_code == 404

    for worker in range(1, number + 1):
        digits = PHONE_DIGITS.format(worker)
        assert text_columns_holding(digits) == [], f"phone number {digits} stored"
    assert text_columns_holding(WORKER_NAME) == []
    # The salted hash of a RapidPro contact is no hash of its UUID alone: nobody can test a known contact.
    contact = str(uuid.uuid5(uuid.NAMESPACE_URL, "contact/1"))
    assert not Response.objects.filter(contact_hash=hashlib.sha256(contact.encode()).hexdigest()).exists()


def test_the_minimum_of_workers_is_configurable_but_never_below_five(settings):
    settings.IMS_VOICE_MIN_RESPONDENTS = 3
    assert services.minimum_respondents() == 5
    settings.IMS_VOICE_MIN_RESPONDENTS = 7
    assert services.minimum_respondents() == 7


def test_a_worker_answering_again_counts_once_with_the_latest_answers(team, campaigns):
    campaign, secret, flow = campaigns["TEAM-1"]
    client = Client()
    assert post_webhook(client, campaign, secret, payload(1, flow, {"overtime_paid": "no"})).status_code == 201
    assert (
        post_webhook(client, campaign, secret, payload(1, flow, {"overtime_paid": "yes", "too_hot": "yes"})).status_code
        == 201
    )
    (response,) = Response.objects.filter(campaign=campaign)
    assert dict(response.answers.values_list("question", "value")) == {"overtime_paid": "yes", "too_hot": "yes"}


def test_the_webhook_refuses_a_wrong_secret_a_foreign_flow_and_a_payload_without_contact(team, campaigns):
    campaign, secret, flow = campaigns["TEAM-1"]
    client = Client()
    body = payload(1, flow, {"overtime_paid": "no"})
    assert post_webhook(client, campaign, "wrong", body).status_code == 403
    assert post_webhook(client, campaign, campaigns["TEAM-2"][1], body).status_code == 403
    assert post_webhook(client, campaign, secret, payload(1, uuid.uuid4(), {"overtime_paid": "no"})).status_code == 403
    no_contact = {**body, "contact": {"urn": "tel:+85512345001"}}
    response = post_webhook(client, campaign, secret, no_contact)
    assert response.status_code == 400 and response.json()["error"] == "invalid"
    url = reverse("voice_api:rapidpro", args=[campaign.code])
    assert client.post(url, "{not json", content_type="application/json", HTTP_X_IMS_SECRET=secret).status_code == 400
    assert not Response.objects.exists() and not Answer.objects.exists()


def test_a_closed_campaign_refuses_answers(team, campaigns):
    campaign, secret, flow = campaigns["TEAM-1"]
    campaign.ends_on = timezone.localdate() - timedelta(days=1)
    campaign.save()
    response = post_webhook(Client(), campaign, secret, payload(1, flow, {"overtime_paid": "no"}))
    assert response.status_code == 409
    assert not Response.objects.exists()


def test_an_answer_card_takes_one_answer_set(team, campaigns):
    campaign = campaigns["TEAM-1"][0]
    (token,) = services.issue_cards(team.head, campaign, 1)
    client = Client()
    assert answer_on_the_web(client, campaign, token, {"too_hot": "yes"}).status_code == 201
    url = reverse("voice_survey:answer", args=[campaign.code, token])
    assert client.post(url, {"too_hot": "no"}).status_code == 404
    assert client.get(url).status_code == 404
    assert list(Answer.objects.values_list("question", "value")) == [("too_hot", "yes")]


def test_the_survey_opens_in_khmer(team, campaigns):
    campaign = campaigns["TEAM-1"][0]
    (token,) = services.issue_cards(team.head, campaign, 1)
    page = Client().get(reverse("voice_survey:answer", args=[campaign.code, token])).content.decode()
    assert '<html lang="km">' in page
    assert "Were you paid for all the overtime" not in page


@pytest.mark.parametrize(
    ("comment", "kinds"),
    [
        ("The supervisor locked the exit door at night", ["locked_exits"]),
        ("ប្រធានក្រុមបៀតបៀនកម្មករស្រី", ["harassment"]),
        ("车间里有童工", ["child_workers"]),
        ("The canteen food is good", []),
    ],
)
def test_grievance_words_in_three_languages(comment, kinds):
    assert grievances_in(comment) == kinds


def test_a_grievance_is_emailed_to_the_head_never_to_the_factory_and_the_text_is_not_kept(
    team, campaigns, smtp_server, tasks_run_immediately, django_capture_on_commit_callbacks, site_url
):
    campaign, secret, flow = campaigns["TEAM-1"]
    comment = "ទ្វារចេញត្រូវបានចាក់សោ ពេលថែមម៉ោង"  # the exit door is locked during overtime
    with django_capture_on_commit_callbacks(execute=True):
        response = post_webhook(Client(), campaign, secret, payload(1, flow, {"exits_open": "no"}, comment=comment))
    assert response.status_code == 201
    alert = Alert.objects.get()
    assert alert.kinds == ["locked_exits"] and alert.factory == team.factory
    (received,) = smtp_server.received
    assert received.recipients == [team.head.email]
    assert team.manager.email not in received.recipients
    assert "Team Factory" in received.subject
    assert "Locked or blocked exits" in received.body and comment not in received.body
    assert f"{site_url}/en/worker-voice/alerts/" in received.body
    assert text_columns_holding(comment) == []
    # In the app: the head's alerts page lists it; the factory's manager cannot open it.
    head = Client()
    head.force_login(team.head)
    assert f'id="alert-{alert.pk}"' in head.get(reverse("voice:alerts")).content.decode()
    manager = Client()
    manager.force_login(team.manager)
    assert manager.get(reverse("voice:alerts")).status_code == 403


def test_a_web_comment_raises_an_alert_in_chinese(team, campaigns, smtp_server, tasks_run_immediately,
                                                  django_capture_on_commit_callbacks):  # fmt: skip
    campaign = campaigns["TEAM-2"][0]
    (token,) = services.issue_cards(team.head, campaign, 1)
    with django_capture_on_commit_callbacks(execute=True):
        response = answer_on_the_web(Client(), campaign, token, {}, comment="组长对女工性骚扰")
    assert response.status_code == 201
    assert Alert.objects.get().kinds == ["harassment"]
    assert [message.recipients for message in smtp_server.received] == [[team.head.email]]


def test_only_the_head_and_administrators_create_campaigns(team, programme):
    client = Client()
    client.force_login(team.monitor)
    form = {"factory": team.factory.ref, "starts_on": "2026-12-01", "ends_on": "2026-12-31"}
    assert client.post(reverse("voice:index"), form).status_code == 403
    client.force_login(team.head)
    response = client.post(reverse("voice:index"), form)
    assert response.status_code == 201
    assert "X-IMS-Secret:" in response.content.decode()
