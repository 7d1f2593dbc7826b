"""Serializer fields that read numbers and dates from ASCII digits only (see ims.core.numbers): DRF's own read
"٣" as 3 and pass 10**30 on to the database, and its date-time field fails on year 1."""

from rest_framework import serializers

from ims.core.numbers import LARGEST_INTEGER, whole_number


class WholeNumberField(serializers.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_value", LARGEST_INTEGER)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if whole_number(data) is None:
            self.fail("invalid")
        return super().to_internal_value(data)


class AsciiDateField(serializers.DateField):
    def to_internal_value(self, value):
        if isinstance(value, str) and not value.isascii():
            self.fail("invalid", format="YYYY-MM-DD")
        return super().to_internal_value(value)


class AsciiDateTimeField(serializers.DateTimeField):
    """Also refuses a moment the time zone cannot place (year 1 or 9999 overflows DRF's zone arithmetic)."""

    def to_internal_value(self, value):
        if isinstance(value, str) and not value.isascii():
            self.fail("invalid", format="YYYY-MM-DDThh:mm:ssZ")
        try:
            return super().to_internal_value(value)
        except OverflowError:
            self.fail("invalid", format="YYYY-MM-DDThh:mm:ssZ")
