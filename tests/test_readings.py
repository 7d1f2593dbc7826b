"""Remote readings: a day streamed in batches through the devices' endpoint, rolled up hourly, with a noise and
a heat breach found; bad batches refused whole; raw readings purged after 30 days, hourly figures kept."""

import json
import math
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ims.readings import services
from ims.readings.models import Breach, HourlyReading, Reading
from ims.readings.tasks import purge_raw_readings, roll_up_readings

LOUD = (86.0, 90.0)  # alternating minute by minute, 08:00-16:00
QUIET = 60.0
HOT = (34.0, 70.0)  # °C, % relative humidity, 11:00-14:00
MILD = (27.0, 60.0)


def reading_at(moment):
    loud = 8 <= moment.hour < 16
    noise = LOUD[moment.minute % 2] if loud else QUIET
    temperature, humidity = HOT if 11 <= moment.hour < 14 else MILD
    return {"at": moment.isoformat(), "noise_dba": noise, "temperature_c": temperature, "humidity_pct": humidity}


def a_day(day):
    zone = ZoneInfo(settings.TIME_ZONE)
    start = datetime.combine(day, time(0), tzinfo=zone)
    return [reading_at(start + timedelta(minutes=minute)) for minute in range(24 * 60)]


def send(client, token, readings):
    return client.post(reverse("readings_api:ingest"), json.dumps({"readings": readings}),
                       content_type="application/json", HTTP_AUTHORIZATION=f"Device {token}")  # fmt: skip


def wbgt(temperature, humidity):
    """The Bureau of Meteorology's estimate, written out here apart from the code under test."""
    vapour = humidity / 100 * 6.105 * math.exp(17.27 * temperature / (237.7 + temperature))
    return 0.567 * temperature + 0.393 * vapour + 3.94


@pytest.fixture
def device(team):
    return services.register_device(team.factory, "Sewing floor 2", "east wall")


def test_a_day_of_readings_gives_24_hourly_figures_a_noise_breach_and_a_heat_breach(team, device):
    found, token = device
    day = timezone.localdate() - timedelta(days=1)
    readings = a_day(day)
    client = Client()
    for start in range(0, len(readings), 240):  # a batch every four hours
        response = send(client, token, readings[start : start + 240])
        assert response.status_code == 201, response.content
        assert response.json() == {"received": 240, "stored": 240}
    assert Reading.objects.filter(device_id=found.pk).count() == 1440

    roll_up_readings.call()

    hours = list(HourlyReading.objects.filter(device=found).order_by("hour"))
    assert len(hours) == 24 and all(hour.readings == 60 for hour in hours)
    zone = ZoneInfo(settings.TIME_ZONE)
    loud_leq = 10 * math.log10((10 ** (LOUD[0] / 10) + 10 ** (LOUD[1] / 10)) / 2)
    for hour in hours:
        local = hour.hour.astimezone(zone).hour
        expected_noise = loud_leq if 8 <= local < 16 else QUIET
        assert hour.noise_leq == pytest.approx(expected_noise, abs=0.01)
        temperature, humidity = HOT if 11 <= local < 14 else MILD
        assert hour.temperature_mean == pytest.approx(temperature, abs=0.01)
        assert hour.wbgt == pytest.approx(wbgt(temperature, humidity), abs=0.05)
    assert pending_since(found) is None  # rolled up: nothing waits

    breaches = {breach.kind: breach for breach in Breach.objects.filter(factory=team.factory, day=day)}
    assert set(breaches) == {"noise", "heat"}
    # The loudest eight hours are the eight loud ones: LEX,8h is their Leq.
    assert breaches["noise"].value == pytest.approx(round(loud_leq, 1)) and breaches["noise"].hours == 8
    assert breaches["heat"].hours == 3 and breaches["heat"].value == pytest.approx(round(wbgt(*HOT), 1), abs=0.05)
    assert wbgt(*MILD) < 28 < wbgt(*HOT)  # the mild hours stay under ISO 7243's 28 °C

    manager = Client()
    manager.force_login(team.manager)
    page = manager.get(reverse("readings:factory", args=[team.factory.ref])).content.decode()
    assert 'data-kind="noise"' in page and 'data-kind="heat"' in page
    other = Client()
    other.force_login(team.other_manager)
    assert other.get(reverse("readings:factory", args=[team.factory.ref])).status_code == 404


def pending_since(device):
    return type(device).objects.get(pk=device.pk).pending_since


def test_a_quiet_cool_day_has_no_breach(team, device):
    found, token = device
    day = timezone.localdate() - timedelta(days=2)
    quiet = [
        {**reading, "noise_dba": QUIET, "temperature_c": MILD[0], "humidity_pct": MILD[1]} for reading in a_day(day)
    ]
    assert send(Client(), token, quiet).status_code == 201
    roll_up_readings.call()
    assert HourlyReading.objects.filter(device=found).count() == 24
    assert not Breach.objects.exists()


def test_a_batch_sent_twice_is_stored_once(team, device):
    _device, token = device
    batch = a_day(timezone.localdate() - timedelta(days=1))[:30]
    client = Client()
    assert send(client, token, batch).json() == {"received": 30, "stored": 30}
    assert send(client, token, batch).json() == {"received": 30, "stored": 0}
    assert Reading.objects.count() == 30


def test_a_bad_reading_refuses_the_whole_batch_with_the_reason(team, device):
    _device, token = device
    batch = a_day(timezone.localdate() - timedelta(days=1))[:5]
    batch[3] = {**batch[3], "noise_dba": 400}
    batch[4] = {"at": "yesterday", "noise_dba": 70}
    response = send(Client(), token, batch)
    assert response.status_code == 400
    problems = response.json()["problems"]
    assert any("reading 3" in problem and "noise_dba" in problem for problem in problems)
    assert any("reading 4" in problem for problem in problems)
    assert not Reading.objects.exists()


def test_an_unknown_device_token_is_refused(team, device):
    response = send(Client(), "not-a-token", a_day(timezone.localdate())[:1])
    assert response.status_code == 401
    assert not Reading.objects.exists()


def test_raw_readings_go_after_30_days_and_the_hourly_figures_stay(team, device):
    found, token = device
    day = timezone.localdate() - timedelta(days=1)
    batch = a_day(day)[:120]
    assert send(Client(), token, batch).status_code == 201
    roll_up_readings.call()
    assert HourlyReading.objects.filter(device=found).count() == 2
    first, last = (datetime.fromisoformat(batch[index]["at"]) for index in (0, -1))
    assert services.purge_raw(now=first + timedelta(days=30)) == 0  # the first is exactly 30 days old: kept
    assert services.purge_raw(now=last + timedelta(days=30, minutes=1)) == 120
    assert not Reading.objects.exists()
    assert HourlyReading.objects.filter(device=found).count() == 2
    assert purge_raw_readings.call() == 0


def test_a_batch_arriving_during_the_roll_up_is_rolled_up_at_the_next_run(team, device, monkeypatch):
    found, _token = device
    day = a_day(timezone.localdate() - timedelta(days=1))
    first, late = day[:60], day[120:180]  # 00:00-01:00, then 02:00-03:00 arriving while the job runs
    services.store_readings(found, services.parse_batch({"readings": first}))
    real_roll_up = services.roll_up

    def roll_up_while_a_batch_arrives(device_ids, since, until):
        written = real_roll_up(device_ids, since, until)
        services.store_readings(found, services.parse_batch({"readings": late}))
        return written

    monkeypatch.setattr(services, "roll_up", roll_up_while_a_batch_arrives)
    services.roll_up_pending()
    assert HourlyReading.objects.filter(device=found).count() == 1
    assert pending_since(found) is not None  # the late batch still waits
    monkeypatch.setattr(services, "roll_up", real_roll_up)
    services.roll_up_pending()
    assert HourlyReading.objects.filter(device=found).count() == 2
    assert pending_since(found) is None
