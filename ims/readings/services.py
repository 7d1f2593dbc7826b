"""Devices, the readings they send in batches, the hourly roll-up, the breaches and the purge.

A batch is checked whole before anything is stored: one bad reading refuses it with the reasons, so
a device keeps it and sends it again corrected; a batch sent twice stores its readings once.
"""

import hashlib
import math
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Avg, Count, F, Max, QuerySet, Value
from django.db.models.functions import Coalesce, Least, Power, TruncHour
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from ims.accounts.models import User
from ims.audit.models import record
from ims.core.errors import Invalid
from ims.factories.models import Factory
from ims.readings import thresholds
from ims.readings.models import Breach, Device, HourlyReading, Reading

MAX_BATCH = 5000
RAW_RETENTION = timedelta(days=30)
MAX_CLOCK_AHEAD = timedelta(minutes=10)
MEASURES = ("noise_dba", "temperature_c", "humidity_pct")
UTC = ZoneInfo("UTC")


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def register_device(factory: Factory, name: str, location: str = "", actor: User | None = None) -> tuple[Device, str]:
    """A new device and its token, shown this once and stored only as a digest."""
    token = secrets.token_urlsafe(32)
    device = Device.objects.create(factory=factory, name=name, location=location, token_digest=digest(token))
    record(actor, "readings.device_registered", device, factory=factory, name=name)
    return device, token


def device_for_token(token: str | None) -> Device | None:
    return Device.objects.filter(token_digest=digest(token)).first() if token else None


@dataclass(frozen=True)
class Row:
    taken_at: datetime
    noise_dba: float | None
    temperature_c: float | None
    humidity_pct: float | None


def _measure(item, name, problems, index):
    value = item.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        problems.append(_("reading %(index)d: %(name)s is not a number") % {"index": index, "name": name})
        return None
    low, high = thresholds.RANGES[name]
    if not low <= value <= high:
        problems.append(
            _("reading %(index)d: %(name)s %(value)s is outside %(low)s to %(high)s")
            % {"index": index, "name": name, "value": value, "low": low, "high": high}
        )
        return None
    return float(value)


def parse_batch(payload: object, now: datetime | None = None) -> list["Row"]:
    """[Row] from {"readings": [{"at": ISO 8601 with offset, "noise_dba", "temperature_c", "humidity_pct"}]}."""
    now = now or timezone.now()
    items = payload.get("readings") if isinstance(payload, dict) else None
    if not isinstance(items, list) or not items:
        raise Invalid(_('Send {"readings": [...]}, with at least one reading.'))
    if len(items) > MAX_BATCH:
        raise Invalid(_("Send at most %(most)d readings at a time.") % {"most": MAX_BATCH})
    rows, problems = [], []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            problems.append(_("reading %(index)d is not an object") % {"index": index})
            continue
        taken_at = parse_datetime(item["at"]) if isinstance(item.get("at"), str) else None
        if taken_at is None or taken_at.tzinfo is None:
            problems.append(_("reading %(index)d: “at” must be a time with its offset") % {"index": index})
            continue
        if not now - RAW_RETENTION < taken_at <= now + MAX_CLOCK_AHEAD:
            problems.append(
                _("reading %(index)d: its time is more than 30 days old or in the future") % {"index": index}
            )
            continue
        values = [_measure(item, name, problems, index) for name in MEASURES]
        if all(value is None for value in values):
            problems.append(_("reading %(index)d measures nothing") % {"index": index})
            continue
        rows.append(Row(taken_at.astimezone(UTC), *values))
    if problems:
        raise Invalid(_("The batch was not stored: %(problems)s.") % {"problems": "; ".join(problems[:20])},
                      problems=problems)  # fmt: skip
    return rows


@transaction.atomic
def store_readings(device: Device, rows: list["Row"]) -> int:
    """Store a checked batch; returns how many readings were new (a reading sent again is kept once)."""
    if not rows:
        return 0
    stored = _unnest_rows(device.pk, rows) if connection.vendor == "postgresql" else _insert_rows(device.pk, rows)
    earliest = min(row.taken_at for row in rows)
    Device.objects.filter(pk=device.pk).update(
        last_seen_at=timezone.now(),
        pending_since=Least(Coalesce(F("pending_since"), Value(earliest)), Value(earliest)),
    )
    return stored


def _insert_rows(device_id, rows):
    before = Reading.objects.filter(device_id=device_id).count()
    Reading.objects.bulk_create(
        (Reading(device_id=device_id, taken_at=row.taken_at, noise_dba=row.noise_dba,
                 temperature_c=row.temperature_c, humidity_pct=row.humidity_pct) for row in rows),
        batch_size=500, ignore_conflicts=True,
    )  # fmt: skip
    return Reading.objects.filter(device_id=device_id).count() - before


def _unnest_rows(device_id, rows):
    """PostgreSQL: the batch as four arrays in one INSERT ... SELECT FROM unnest(...), skipping readings already
    stored: one statement and one round trip whatever the batch's size."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Reading._meta.db_table} (device_id, taken_at, noise_dba, temperature_c, humidity_pct) "
            "SELECT %s, * FROM unnest(%s::timestamptz[], %s::real[], %s::real[], %s::real[]) ON CONFLICT DO NOTHING",
            [device_id, [row.taken_at for row in rows], [row.noise_dba for row in rows],
             [row.temperature_c for row in rows], [row.humidity_pct for row in rows]],
        )  # fmt: skip
        return cursor.rowcount


# --- roll-up and breaches -----------------------------------------------------------------------------------


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def roll_up(device_ids: Iterable[int], since: datetime, until: datetime) -> int:
    """Hourly figures of these devices for the hours from `since` (rounded down) to `until`, from raw readings;
    then their breaches on the local days those hours touch. Returns the number of hourly rows written."""
    since = since.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    hours = (
        Reading.objects.filter(device_id__in=device_ids, taken_at__gte=since, taken_at__lt=until)
        .annotate(hour=TruncHour("taken_at", tzinfo=UTC))
        .values("device_id", "hour")
        .annotate(
            readings=Count("*"),
            noise_energy=Avg(Power(10.0, F("noise_dba") / 10.0)),
            noise_max=Max("noise_dba"),
            temperature_mean=Avg("temperature_c"),
            temperature_max=Max("temperature_c"),
            humidity_mean=Avg("humidity_pct"),
        )
        .order_by("device_id", "hour")
    )
    rows = [
        HourlyReading(
            device_id=hour["device_id"], hour=hour["hour"], readings=hour["readings"],
            noise_leq=_decibels(hour["noise_energy"]), noise_max=hour["noise_max"],
            temperature_mean=hour["temperature_mean"], temperature_max=hour["temperature_max"],
            humidity_mean=hour["humidity_mean"],
            wbgt=thresholds.wbgt_estimate(hour["temperature_mean"], hour["humidity_mean"]),
        )
        for hour in hours
    ]  # fmt: skip
    with transaction.atomic():
        HourlyReading.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["device", "hour"],
            update_fields=["readings", "noise_leq", "noise_max", "temperature_mean", "temperature_max",
                           "humidity_mean", "wbgt"],
        )  # fmt: skip
        days = {(row.device_id, row.hour.astimezone(local_zone()).date()) for row in rows}
        for device_id, day in sorted(days):
            assess_day(device_id, day)
    return len(rows)


def _decibels(energy):
    return None if energy is None else 10 * math.log10(energy)


def assess_day(device_id: int, day: date) -> dict[str, tuple[float, float, int]]:
    """The noise and heat breaches of one device on one local day, from its hourly figures."""
    zone = local_zone()
    start = datetime.combine(day, datetime.min.time(), tzinfo=zone)
    hours = HourlyReading.objects.filter(device_id=device_id, hour__gte=start, hour__lt=start + timedelta(days=1))
    by_index = {int((row.hour - start).total_seconds() // 3600): row for row in hours}
    device = Device.objects.get(pk=device_id)
    found: dict[str, tuple[float, float, int]] = {}
    exposure, window_hours = thresholds.daily_exposure(
        {index: row.noise_leq for index, row in by_index.items() if row.noise_leq is not None}
    )
    if exposure is not None and exposure >= thresholds.NOISE_LIMIT_DBA:
        found[Breach.Kind.NOISE] = (exposure, thresholds.NOISE_LIMIT_DBA, window_hours)
    hot = [row.wbgt for row in by_index.values() if row.wbgt is not None and row.wbgt > thresholds.HEAT_LIMIT_WBGT]
    if hot:
        found[Breach.Kind.HEAT] = (max(hot), thresholds.HEAT_LIMIT_WBGT, len(hot))
    Breach.objects.filter(device_id=device_id, day=day).exclude(kind__in=list(found)).delete()
    for kind, (value, limit, count) in found.items():
        Breach.objects.update_or_create(
            device_id=device_id, kind=kind, day=day,
            defaults={"factory_id": device.factory_id, "value": round(value, 1), "limit": limit, "hours": count},
        )  # fmt: skip
    return found


def roll_up_pending(now: datetime | None = None) -> int:
    """The scheduler's hourly job: every device with readings received since its last roll-up."""
    until = (now or timezone.now()) + MAX_CLOCK_AHEAD
    written = 0
    pending = Device.objects.filter(pending_since__isnull=False).values_list("pk", "pending_since", "last_seen_at")
    for device_id, pending_since, last_seen_at in pending:
        written += roll_up([device_id], cast(datetime, pending_since), until)  # not null: filtered above
        # Cleared only if no batch arrived meanwhile: every batch moves last_seen_at.
        Device.objects.filter(pk=device_id, pending_since=pending_since, last_seen_at=last_seen_at).update(
            pending_since=None
        )
    return written


def purge_raw(now: datetime | None = None) -> int:
    """Delete raw readings older than the retention (their hourly figures stay); returns how many."""
    cutoff = (now or timezone.now()) - RAW_RETENTION
    deleted, _by_model = Reading.objects.filter(taken_at__lt=cutoff).delete()
    return deleted


def factory_breaches(factory: Factory, since: date | None = None) -> QuerySet[Breach]:
    breaches = Breach.objects.filter(factory=factory).select_related("device")
    return breaches.filter(day__gte=since) if since else breaches


def recent_hours(factory: Factory, days: int = 2) -> QuerySet[HourlyReading]:
    since = timezone.now() - timedelta(days=days)
    return HourlyReading.objects.filter(device__factory=factory, hour__gte=since).select_related("device")
