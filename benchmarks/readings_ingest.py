"""Remote readings at the issue's scale: one day of readings from 5,000 devices (7.2 million readings).

    DATABASE_URL=postgres:///ims_voice .venv/bin/python benchmarks/readings_ingest.py
        [--devices 5000] [--minutes 1440] [--batch 240] [--keep]

Against the database DATABASE_URL names (migrated first; its readings tables must be empty), it:
1. registers the devices at one factory;
2. ingests the day through the devices' own path (ims.readings.services.parse_batch + store_readings:
   checked, then one INSERT from arrays on PostgreSQL or a bulk INSERT on SQLite, a transaction per batch),
   device after device in batches of --batch readings (240: a batch every four hours); prints the rate;
3. runs the hourly roll-up job over every device (hourly figures and breaches) and prints its time;
4. prints the storage used: the raw table and its indexes, and the hourly table, in total and per reading;
5. empties the readings tables again (unless --keep); the factory and its devices stay for the next run
   (their registration is in the audit log).
"""

import argparse
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ims.settings")
os.environ.setdefault("IMS_TASKS_BACKEND", "django.tasks.backends.dummy.DummyBackend")
django.setup()

from django.core.management import call_command  # noqa: E402  (after django.setup())
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from ims.factories.models import Factory, Province  # noqa: E402
from ims.readings import services  # noqa: E402
from ims.readings.models import Breach, Device, HourlyReading, Reading  # noqa: E402

FACTORY_REF = "READINGS-BENCH"


def readings_for(device_index, start, minutes):
    """A plausible day: louder and warmer in working hours, a little different per device."""
    for minute in range(minutes):
        at = start + timedelta(minutes=minute)
        working = 7 <= (at.hour + 7) % 24 < 17  # Phnom Penh time
        yield {
            "at": at.isoformat(),
            "noise_dba": round((82.0 if working else 55.0) + (device_index % 7) + (minute % 5) * 0.3, 1),
            "temperature_c": round((31.0 if working else 27.0) + (device_index % 3) * 0.5, 1),
            "humidity_pct": round(65.0 + (minute % 10), 1),
        }


def storage():
    table, hourly = Reading._meta.db_table, HourlyReading._meta.db_table
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_table_size(%s), pg_indexes_size(%s), pg_total_relation_size(%s)", [table, table, hourly]
            )
            return cursor.fetchone()
    with connection.cursor() as cursor:
        try:
            cursor.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name")
        except Exception:  # SQLite built without dbstat: the whole file
            size = Path(connection.settings_dict["NAME"]).stat().st_size
            return size, 0, 0
        sizes = dict(cursor.fetchall())
    indexes = sum(
        size
        for name, size in sizes.items()
        if name.startswith(("readings_reading_taken_at", f"sqlite_autoindex_{table}"))
    )
    return sizes.get(table, 0), indexes, sizes.get(hourly, 0)


def megabytes(size):
    return f"{size / 1024 / 1024:,.1f} MB"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--devices", type=int, default=5000)
    parser.add_argument("--minutes", type=int, default=1440)
    parser.add_argument("--batch", type=int, default=240)
    parser.add_argument("--keep", action="store_true", help="Leave the readings in the database.")
    options = parser.parse_args()
    call_command("migrate", verbosity=0)
    if Reading.objects.exists() or HourlyReading.objects.exists():
        sys.exit("The readings tables are not empty: run this against a database without readings.")
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}; load average {os.getloadavg()[0]:.2f}")
    province = Province.objects.order_by("pk").first() or Province.objects.create(code="BENCH", name_en="Bench")
    factory, _created = Factory.objects.get_or_create(
        ref=FACTORY_REF, defaults={"name_en": "Readings benchmark", "sector": "garment", "province": province}
    )
    existing = {device.name: device for device in Device.objects.filter(factory=factory)}
    devices = [
        existing.get(f"bench {index}") or services.register_device(factory, f"bench {index}")[0]
        for index in range(options.devices)
    ]
    start = (timezone.now() - timedelta(minutes=options.minutes + 5)).replace(second=0, microsecond=0)
    total, began = 0, time.perf_counter()
    for index, device in enumerate(devices):
        day = list(readings_for(index, start, options.minutes))
        for offset in range(0, len(day), options.batch):
            rows = services.parse_batch({"readings": day[offset : offset + options.batch]})
            total += services.store_readings(device, rows)
        if (index + 1) % 500 == 0:
            elapsed = time.perf_counter() - began
            print(f"  {index + 1} devices, {total:,} readings, {total / elapsed:,.0f} readings/s", flush=True)
    elapsed = time.perf_counter() - began
    rate = total / elapsed
    print(f"ingested {total:,} readings from {len(devices)} devices in {elapsed:,.1f} s: {rate:,.0f} readings/s")
    print(f"  {rate * 60 / len(devices):,.0f} times the rate these devices send at (one reading a minute)")
    began = time.perf_counter()
    hours = services.roll_up_pending()
    rolled = time.perf_counter() - began
    print(f"roll-up: {hours:,} hourly rows and {Breach.objects.count():,} breach days in {rolled:,.1f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {Reading._meta.db_table}")
    raw, indexes, hourly = storage()
    print(
        f"storage: raw readings {megabytes(raw)} + indexes {megabytes(indexes)} "
        f"= {(raw + indexes) / max(total, 1):.1f} bytes a reading; hourly figures {megabytes(hourly)}"
    )
    print(f"  30 days of raw readings at this rate: {megabytes((raw + indexes) * 30)}")
    if not options.keep:
        Reading.objects.all().delete()
        Breach.objects.filter(factory=factory).delete()
        HourlyReading.objects.filter(device__factory=factory).delete()


if __name__ == "__main__":
    main()
