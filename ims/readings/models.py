"""Remote readings: noise, temperature and humidity from devices at a factory, kept cheaply.

At 500 factories x 10 devices x one reading a minute (7.2 million rows a day) the raw table is the
only large one, so it is narrow: the device and the time are its primary key (a retried batch is
not stored twice) and the three measures are 4-byte floats. A BRIN index on the time (PostgreSQL)
serves the hourly roll-up and the purge for a few kilobytes. Raw readings are kept 30 days; the
hourly figures and the breaches they show are kept for good.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RealField(models.FloatField):
    """A 4-byte float: a sensor's seven significant digits are more than it measures."""

    def db_type(self, connection):
        return "real"


class Device(models.Model):
    factory = models.ForeignKey(
        "factories.Factory", verbose_name=_("factory"), on_delete=models.PROTECT, related_name="devices"
    )
    name = models.CharField(_("name"), max_length=100)
    location = models.CharField(_("location in the factory"), max_length=200, blank=True)
    token_digest = models.CharField(max_length=64, unique=True, editable=False)  # sha256 of its token
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    # The earliest reading received since the last roll-up: the hours from there on are rolled up again.
    pending_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["factory", "name"]
        verbose_name = _("device")
        verbose_name_plural = _("devices")

    def __str__(self):
        return f"{self.name} ({self.factory_id})"


class Reading(models.Model):
    pk = models.CompositePrimaryKey("device", "taken_at")
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    taken_at = models.DateTimeField()
    noise_dba = RealField(null=True)
    temperature_c = RealField(null=True)
    humidity_pct = RealField(null=True)

    def __str__(self):
        return f"{self.device_id} {self.taken_at}"


class HourlyReading(models.Model):
    """One device's hour: the noise as an energy average (Leq), temperature, humidity and a WBGT estimate."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="hours")
    hour = models.DateTimeField()  # the hour's start
    readings = models.PositiveIntegerField()
    noise_leq = models.FloatField(null=True)
    noise_max = models.FloatField(null=True)
    temperature_mean = models.FloatField(null=True)
    temperature_max = models.FloatField(null=True)
    humidity_mean = models.FloatField(null=True)
    wbgt = models.FloatField(null=True)

    class Meta:
        ordering = ["device", "hour"]
        constraints = [models.UniqueConstraint(fields=["device", "hour"], name="one_hourly_reading_per_device_hour")]

    def __str__(self):
        return f"{self.device_id} {self.hour}"


class Breach(models.Model):
    """A day on which a device's readings crossed a threshold of the OSH checklist questions."""

    class Kind(models.TextChoices):
        NOISE = "noise", _("Noise: 85 dB(A) or more over eight hours")
        HEAT = "heat", _("Heat: WBGT estimate above the limit")

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="breaches")
    factory = models.ForeignKey("factories.Factory", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    day = models.DateField()
    value = models.FloatField()  # LEX,8h in dB(A), or the highest hourly WBGT in °C
    limit = models.FloatField()
    hours = models.PositiveSmallIntegerField()  # hours over the limit (heat) or in the loudest window (noise)

    class Meta:
        ordering = ["-day", "kind", "device"]
        constraints = [models.UniqueConstraint(fields=["device", "kind", "day"], name="one_breach_per_device_kind_day")]
        indexes = [models.Index(fields=["factory", "day"])]

    def __str__(self):
        return f"{self.device_id} {self.kind} {self.day}"
