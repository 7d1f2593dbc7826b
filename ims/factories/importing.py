"""Factories CSV import (format in docs/domain.md): validated whole, written all-or-nothing.

Every row is checked before anything is written; a file with any error changes nothing
and the errors are listed by line. Rows are matched on factory_ref, and a row whose
values are already stored writes nothing, so re-importing a file is a no-op.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from ims.core.dates import EARLIEST
from ims.core.input_checks import unstorable
from ims.factories.models import Contact, District, Factory, Province, Sector, WorkforceSnapshot

REQUIRED_COLUMNS = (
    "factory_ref", "name_en", "name_km", "name_zh", "registration_no", "province", "district", "sector",
    "head_office_country", "workers_total", "workers_female", "email", "preferred_language", "has_email",
)  # fmt: skip
OPTIONAL_COLUMNS = (
    "export_licence_no", "address", "latitude", "longitude", "workforce_date", "contact_name", "phone",
    "has_internet",
)  # fmt: skip
REF_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
RESERVED_REFS = {"import"}  # path segments of the factory pages
TRUE_WORDS = {"true", "yes", "1", "y"}
FALSE_WORDS = {"false", "no", "0", "n"}

WHOLE_NUMBER = re.compile(r"[0-9]+")
MAX_WORKERS = 1_000_000


@dataclass
class RowError:
    line: int
    column: str
    message: str

    def __str__(self):
        where = _("line %(line)d") % {"line": self.line}
        return f"{where}, {self.column}: {self.message}" if self.column else f"{where}: {self.message}"


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors


@dataclass
class ParsedRow:
    line: int
    factory: Factory
    stored: dict | None  # the factory's values before this row, None for a new factory
    contact: dict
    workforce: tuple | None  # (as_of, total, female, dated)


class _Lookups:
    """Province, district and sector names accepted in any of the three languages."""

    def __init__(self):
        self.provinces = {}
        for province in Province.objects.all():
            for key in (province.code, province.name_en, province.name_km, province.name_zh_hans):
                if key:
                    self.provinces[key.strip().casefold()] = province
        self.districts = {}
        for district in District.objects.all():
            for key in (district.code, district.name_en, district.name_km, district.name_zh_hans):
                if key:
                    self.districts[(district.province_id, key.strip().casefold())] = district
        self.sectors = {}
        for sector in Sector:
            self.sectors[sector.value] = sector.value
            for language, _name in settings.LANGUAGES:
                with translation.override(language):
                    self.sectors[str(sector.label).casefold()] = sector.value
        self.refs = {ref.casefold(): ref for ref in Factory.objects.values_list("ref", flat=True)}


def _bool(value, line, column, errors):
    word = value.strip().casefold()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    errors.append(RowError(line, column, _("'%(value)s' is not true or false.") % {"value": value}))
    return None


def _count(value, line, column, errors):
    value = value.strip()
    if value.startswith("-") and WHOLE_NUMBER.fullmatch(value[1:]):
        errors.append(RowError(line, column, _("must not be negative.")))
        return None
    if not WHOLE_NUMBER.fullmatch(value):  # ASCII digits only: int() would also read "٣" as 3
        errors.append(RowError(line, column, _("'%(value)s' is not a whole number.") % {"value": value}))
        return None
    number = int(value)
    if number > MAX_WORKERS:
        errors.append(RowError(line, column, _("more workers than any factory has.")))
        return None
    return number


def _parse_date(text):
    """The date in YYYY-MM-DD, or None (also for a well-formed impossible date such as 2026-13-01)."""
    try:
        return parse_date(text)
    except ValueError:
        return None


def _model_errors(instance, line, errors, columns, exclude=()):
    """Run the model's own checks (lengths, formats, ranges) and report them against CSV columns."""
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            for message in messages:
                errors.append(RowError(line, columns.get(field, "" if field == "__all__" else field), message))


def _parse_row(line, row, lookups, existing, today, errors):
    def text(column):
        return (row.get(column) or "").strip()

    ref = text("factory_ref")
    if not REF_PATTERN.match(ref) or ref.casefold() in RESERVED_REFS:
        errors.append(RowError(line, "factory_ref", _("a reference of letters, digits, '.', '_' or '-' is required.")))
    elif lookups.refs.get(ref.casefold(), ref) != ref:
        errors.append(RowError(line, "factory_ref", _("'%(ref)s' differs only in case from the registered '%(known)s'.")
                               % {"ref": ref, "known": lookups.refs[ref.casefold()]}))  # fmt: skip
    if not text("name_en"):
        errors.append(RowError(line, "name_en", _("the Latin-script name is required.")))

    province = lookups.provinces.get(text("province").casefold())
    if province is None:
        errors.append(RowError(line, "province", _("unknown province '%(value)s'.") % {"value": text("province")}))
    district = None
    if text("district") and province is not None:
        district = lookups.districts.get((province.pk, text("district").casefold()))
        if district is None:
            errors.append(
                RowError(line, "district", _("unknown district '%(value)s' in %(province)s.")
                         % {"value": text("district"), "province": province})
            )  # fmt: skip
    sector = lookups.sectors.get(text("sector").casefold())
    if sector is None:
        errors.append(RowError(line, "sector", _("unknown sector '%(value)s'.") % {"value": text("sector")}))

    factory = existing.get(ref) or Factory(ref=ref)
    values = {
        "name_en": text("name_en"),
        "name_km": text("name_km"),
        "name_zh": text("name_zh"),
        "registration_no": text("registration_no"),
        "sector": sector or "",
        "head_office_country": text("head_office_country").upper(),
        "province_id": province.pk if province else None,
        "district_id": district.pk if district else None,
    }
    for column in ("export_licence_no", "address"):
        if column in row:
            values[column] = text(column)
    if "latitude" in row or "longitude" in row:
        values["latitude"] = text("latitude") or None
        values["longitude"] = text("longitude") or None
    stored = {name: getattr(factory, name) for name in values} if factory.pk else None
    for name, value in values.items():
        setattr(factory, name, value)
    _model_errors(factory, line, errors, {}, exclude=["province", "district", "sector"])

    language = text("preferred_language")
    if language not in dict(settings.LANGUAGES):
        errors.append(
            RowError(line, "preferred_language", _("must be one of %(choices)s.")
                     % {"choices": ", ".join(dict(settings.LANGUAGES))})
        )  # fmt: skip
    has_email = _bool(text("has_email"), line, "has_email", errors)
    email = text("email").lower()
    if has_email and not email:
        errors.append(RowError(line, "email", _("has_email is true but no address is given.")))
    contact = {"email": email, "preferred_language": language, "has_email": bool(has_email)}
    if "contact_name" in row:
        contact["name"] = text("contact_name")
    if "phone" in row:
        contact["phone"] = text("phone")
    if text("has_internet"):
        contact["has_internet"] = _bool(text("has_internet"), line, "has_internet", errors)
    _model_errors(Contact(**contact), line, errors, {"name": "contact_name"}, exclude=["factory", "preferred_language"])

    workforce = None
    total_text, female_text = text("workers_total"), text("workers_female")
    if total_text or female_text:
        total = _count(total_text, line, "workers_total", errors)
        female = _count(female_text, line, "workers_female", errors)
        as_of = today
        if text("workforce_date"):
            as_of = _parse_date(text("workforce_date"))
            if as_of is None:
                errors.append(RowError(line, "workforce_date", _("use the form YYYY-MM-DD.")))
            elif not EARLIEST <= as_of <= today:
                errors.append(RowError(line, "workforce_date", _("a head count is dated between 2000 and today.")))
                as_of = None
        if total is not None and female is not None:
            if female > total:
                errors.append(RowError(line, "workers_female", _("women workers cannot exceed the total.")))
            workforce = (as_of, total, female, bool(text("workforce_date")))
        recorded = factory.workforce_snapshots.filter(as_of=as_of).first() if factory.pk and as_of else None
        if recorded and recorded.source != WorkforceSnapshot.Source.IMPORT:
            errors.append(RowError(line, "workforce_date", _("figures recorded at an assessment on %(date)s are kept; "
                                                             "give another date.") % {"date": as_of}))  # fmt: skip
    return ParsedRow(line, factory, stored, contact, workforce)


def _save_contact(factory, values):
    contact = Contact.objects.filter(factory=factory, is_primary=True).first()
    if contact is None:
        Contact.objects.create(factory=factory, is_primary=True, **values)
        return True
    changed = [name for name, value in values.items() if getattr(contact, name) != value]
    for name in changed:
        setattr(contact, name, values[name])
    if changed:
        contact.save(update_fields=changed)
    return bool(changed)


def _save_workforce(factory, workforce):
    """Add or correct the imported head count; an undated row that repeats the latest figures adds nothing."""
    as_of, total, female, dated = workforce
    if not dated:
        latest = factory.workforce_snapshots.order_by("-as_of").first()
        if latest and (latest.workers_total, latest.workers_female) == (total, female):
            return False
    snapshot, created = WorkforceSnapshot.objects.get_or_create(
        factory=factory,
        as_of=as_of,
        defaults={"workers_total": total, "workers_female": female, "source": WorkforceSnapshot.Source.IMPORT},
    )
    if created or (snapshot.workers_total, snapshot.workers_female) == (total, female):
        return created
    snapshot.workers_total, snapshot.workers_female = total, female
    snapshot.save(update_fields=["workers_total", "workers_female"])
    return True


def read_csv(data):
    """Decode an uploaded file's bytes; raise ValueError with a readable message if it is not UTF-8 text."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(_("The file is not UTF-8 text (byte %(position)d).") % {"position": error.start}) from None
    if unstorable(text):  # a NUL: PostgreSQL refuses it, SQLite would keep it in a factory's name
        raise ValueError(_("The request contains a NUL character or an unpaired surrogate; nothing was changed."))
    return text


def _read_rows(text, result):
    """The header and (first line, row) pairs, or None after recording why the file cannot be read."""
    reader = csv.DictReader(io.StringIO(text))
    rows = []
    try:
        header = reader.fieldnames or []
        missing = [column for column in REQUIRED_COLUMNS if column not in header]
        unknown = [column for column in header if column not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
        repeated = sorted({column for column in header if header.count(column) > 1})
        for problem, columns in ((_("missing columns: %(columns)s"), missing),
                                 (_("unknown columns: %(columns)s"), unknown),
                                 (_("repeated columns: %(columns)s"), repeated)):  # fmt: skip
            if columns:
                result.errors.append(RowError(1, "", problem % {"columns": ", ".join(columns)}))
        if result.errors:
            return None
        last_line = reader.line_num
        for row in reader:
            first_line, last_line = last_line + 1, reader.line_num
            if None in row:
                result.errors.append(RowError(first_line, "", _("more values than columns.")))
            elif any(value is None for value in row.values()):
                result.errors.append(RowError(first_line, "", _("fewer values than columns.")))
            else:
                rows.append((first_line, row))
    except csv.Error as error:
        result.errors.append(
            RowError(reader.line_num, "", _("the file is not valid CSV here (%(error)s).") % {"error": error})
        )
        return None
    if not rows and not result.errors:
        result.errors.append(RowError(1, "", _("the file has no data rows.")))
    return rows if rows else None


def import_factories(text: str, today: date | None = None) -> ImportResult:
    today = today or timezone.localdate()
    result = ImportResult()
    rows = _read_rows(text, result)
    if rows is None:
        return result
    try:
        with transaction.atomic():
            _import_rows(rows, today, result)
    except _Rejected:
        result.created = result.updated = result.unchanged = 0
    except IntegrityError:
        result.created = result.updated = result.unchanged = 0
        result.errors.append(RowError(0, "", _("These factories were changed by someone else during the import; "
                                               "nothing was imported. Import the file again.")))  # fmt: skip
    return result


class _Rejected(Exception):
    """Raised inside the transaction so that a file with errors writes nothing."""


def _import_rows(rows, today, result):
    refs = [(row.get("factory_ref") or "").strip() for _line, row in rows]
    existing = {factory.ref: factory for factory in Factory.objects.select_for_update().filter(ref__in=refs)}
    lookups = _Lookups()
    seen = {}
    parsed = []
    for line, row in rows:
        ref = (row.get("factory_ref") or "").strip()
        if ref.casefold() in seen:
            result.errors.append(
                RowError(line, "factory_ref", _("'%(ref)s' already appears on line %(line)d.")
                         % {"ref": ref, "line": seen[ref.casefold()]})
            )  # fmt: skip
            continue
        seen[ref.casefold()] = line
        parsed.append(_parse_row(line, row, lookups, existing, today, result.errors))
    if result.errors:
        result.errors.sort(key=lambda error: error.line)
        raise _Rejected
    for row in parsed:
        changed = row.stored is None or any(getattr(row.factory, name) != value for name, value in row.stored.items())
        if changed:
            row.factory.save()
        changed |= _save_contact(row.factory, row.contact)
        if row.workforce:
            changed |= _save_workforce(row.factory, row.workforce)
        if row.stored is None:
            result.created += 1
        elif changed:
            result.updated += 1
        else:
            result.unchanged += 1
