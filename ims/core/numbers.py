"""Whole numbers as IMS reads them from people and programs: ASCII digits only, within a database column.

Python's int() and Decimal() read any Unicode decimal digit ("٣" is 3, and "²" passes str.isdigit()), and
Django's and DRF's integer fields and primary-key lookups inherit it: a buyer sent as "٣" was organisation 3.
A number of 30 digits passed the forms and then failed in the database. Every form field, serializer field
and view that reads a number or an id goes through here (the fields below, ims.api.fields for the API).
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.forms import formsets
from django.utils.functional import cached_property

# What a PostgreSQL integer column holds (counts, versions); ids are bigint.
LARGEST_INTEGER = 2**31 - 1
LARGEST_ID = 2**63 - 1

_WHOLE_NUMBER = re.compile(r"-?[0-9]+", re.ASCII)
_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?", re.ASCII)


def whole_number(value, largest=LARGEST_INTEGER):
    """The int a form or JSON value writes, or None unless it is ASCII digits (or a JSON integer, not true or
    false) between -largest and largest."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value.strip()):
        value = int(value)
    if not isinstance(value, int):
        return None
    return value if -largest <= value <= largest else None


def record_id(value):
    """The positive id a form or JSON value names, or None."""
    number = whole_number(value, LARGEST_ID)
    return number if number is not None and number > 0 else None


class WholeNumberField(forms.IntegerField):
    """forms.IntegerField reading ASCII digits only, and no more than a database integer holds."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if whole_number(value) is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class AmountField(forms.DecimalField):
    """forms.DecimalField reading ASCII digits only (Decimal("٣") is 3)."""

    def to_python(self, value):
        if isinstance(value, str) and value.strip() and not _DECIMAL.fullmatch(value.strip()):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class _ByIdChoices:
    """For model choice fields: a value naming a row by integer id must be a record_id, else it is no choice."""

    def _names_by_id(self):
        key = self.to_field_name or "pk"
        field = self.queryset.model._meta.pk if key == "pk" else self.queryset.model._meta.get_field(key)
        return field.get_internal_type() in ("AutoField", "BigAutoField", "IntegerField", "BigIntegerField")


class RecordChoiceField(_ByIdChoices, forms.ModelChoiceField):
    def to_python(self, value):
        if value not in self.empty_values and self._names_by_id() and record_id(value) is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class RecordsChoiceField(_ByIdChoices, forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        if self._names_by_id():
            for item in value:
                if record_id(item) is None:
                    raise ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                          params={"pk": item})  # fmt: skip
        return super()._check_values(value)


class _WholeNumberManagementForm(formsets.ManagementForm):
    TOTAL_FORMS = WholeNumberField(widget=forms.HiddenInput, min_value=0)
    INITIAL_FORMS = WholeNumberField(widget=forms.HiddenInput, min_value=0)
    MIN_NUM_FORMS = WholeNumberField(required=False, widget=forms.HiddenInput, min_value=0)
    MAX_NUM_FORMS = WholeNumberField(required=False, widget=forms.HiddenInput, min_value=0)


class WholeNumberFormSet(forms.BaseFormSet):
    """A formset whose form counts are read as above: "٣" forms is a tampered management form, not 3."""

    @cached_property
    def management_form(self):
        if not self.is_bound:
            return super().management_form
        form = _WholeNumberManagementForm(self.data, auto_id=self.auto_id, prefix=self.prefix, renderer=self.renderer)
        form.full_clean()
        return form
