"""Factories CSV import (format fixed in DESIGN.md): validated whole, written all-or-nothing.

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
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from ims.factories.models import Contact, District, Factory, Province, Sector, WorkforceSnapshot

REQUIRED_COLUMNS = (
    "factory_ref", "name_en", "name_km", "name_zh", "registration_no", "province", "district", "sector",
    "head_office_country", "workers_total", "workers_female", "email", "preferred_language", "has_email",
)  # fmt: skip
OPTIONAL_COLUMNS = (
    "export_licence_no", "address", "latitude", "longitude", "workforce_date", "contact_name", "phone",
    "has_internet",
)  # fmt: skip
FACTORY_FIELDS = (
    "name_en", "name_km", "name_zh", "registration_no", "export_licence_no", "address", "sector",
    "head_office_country", "province_id", "district_id", "latitude", "longitude",
)  # fmt: skip
REF_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
TRUE_WORDS = {"true", "yes", "1", "y"}
FALSE_WORDS = {"false", "no", "0", "n"}


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
    is_new: bool
    contact: dict
    workforce: tuple | None  # (as_of or None, total, female)


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
            self.sectors[str(sector.label).casefold()] = sector.value


def _bool(value, line, column, errors):
    word = value.strip().casefold()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    errors.append(RowError(line, column, _("'%(value)s' is not true or false.") % {"value": value}))
    return None


def _count(value, line, column, errors):
    try:
        number = int(value.strip())
    except ValueError:
        errors.append(RowError(line, column, _("'%(value)s' is not a whole number.") % {"value": value}))
        return None
    if number < 0:
        errors.append(RowError(line, column, _("must not be negative.")))
        return None
    return number


def _parse_row(line, row, lookups, existing, errors):
    def text(column):
        return (row.get(column) or "").strip()

    ref = text("factory_ref")
    if not REF_PATTERN.match(ref):
        errors.append(RowError(line, "factory_ref", _("a reference of letters, digits, '.', '_' or '-' is required.")))
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
                         % {"value": text("district"), "province": province.name_en})
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
        "export_licence_no": text("export_licence_no") if "export_licence_no" in row else factory.export_licence_no,
        "address": text("address") if "address" in row else factory.address,
        "sector": sector or "",
        "head_office_country": text("head_office_country").upper(),
        "province_id": province.pk if province else None,
        "district_id": district.pk if district else None,
    }
    if "latitude" in row or "longitude" in row:
        values["latitude"] = text("latitude") or None
        values["longitude"] = text("longitude") or None
    for name, value in values.items():
        setattr(factory, name, value)
    try:
        factory.full_clean(exclude=["province", "district", "sector"], validate_unique=False)
    except ValidationError as error:
        for column, messages in error.message_dict.items():
            for message in messages:
                errors.append(RowError(line, "" if column == "__all__" else column, message))

    language = text("preferred_language")
    if language not in dict(settings.LANGUAGES):
        errors.append(
            RowError(line, "preferred_language", _("must be one of %(choices)s.")
                     % {"choices": ", ".join(dict(settings.LANGUAGES))})
        )  # fmt: skip
    has_email = _bool(text("has_email"), line, "has_email", errors)
    email = text("email").lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.append(RowError(line, "email", _("'%(value)s' is not an email address.") % {"value": email}))
    elif has_email:
        errors.append(RowError(line, "email", _("has_email is true but no address is given.")))
    contact = {"email": email, "preferred_language": language, "has_email": bool(has_email)}
    if "contact_name" in row:
        contact["name"] = text("contact_name")
    if "phone" in row:
        contact["phone"] = text("phone")
    if text("has_internet"):
        contact["has_internet"] = _bool(text("has_internet"), line, "has_internet", errors)

    workforce = None
    total_text, female_text = text("workers_total"), text("workers_female")
    if total_text or female_text:
        total = _count(total_text, line, "workers_total", errors)
        female = _count(female_text, line, "workers_female", errors)
        as_of = None
        if text("workforce_date"):
            as_of = parse_date(text("workforce_date"))
            if as_of is None:
                errors.append(RowError(line, "workforce_date", _("use the form YYYY-MM-DD.")))
        if total is not None and female is not None:
            if female > total:
                errors.append(RowError(line, "workers_female", _("women workers cannot exceed the total.")))
            workforce = (as_of, total, female)
    return ParsedRow(line, factory, factory.pk is None, contact, workforce)


def _factory_changed(row, stored):
    return stored is None or any(getattr(row.factory, name) != getattr(stored, name) for name in FACTORY_FIELDS)


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


def _save_workforce(factory, workforce, today):
    as_of, total, female = workforce
    if as_of is None:
        latest = factory.workforce_snapshots.order_by("-as_of").first()
        if latest and (latest.workers_total, latest.workers_female) == (total, female):
            return False
        as_of = today
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
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(_("The file is not UTF-8 text (byte %(position)d).") % {"position": error.start}) from None


def import_factories(text, today: date | None = None):
    today = today or timezone.localdate()
    result = ImportResult()
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    unknown = [column for column in header if column not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if missing:
        result.errors.append(RowError(1, "", _("missing columns: %(columns)s") % {"columns": ", ".join(missing)}))
    if unknown:
        result.errors.append(RowError(1, "", _("unknown columns: %(columns)s") % {"columns": ", ".join(unknown)}))
    if result.errors:
        return result

    raw_rows = []
    try:
        for row in reader:
            if None in row:
                result.errors.append(RowError(reader.line_num, "", _("more values than columns.")))
            raw_rows.append((reader.line_num, row))
    except csv.Error as error:
        result.errors.append(RowError(reader.line_num, "", str(error)))
        return result
    if not raw_rows:
        result.errors.append(RowError(1, "", _("the file has no data rows.")))
        return result

    refs = [(row.get("factory_ref") or "").strip() for _line, row in raw_rows]
    existing = {factory.ref: factory for factory in Factory.objects.filter(ref__in=refs)}
    stored = {ref: Factory.objects.get(pk=factory.pk) for ref, factory in existing.items()}
    lookups = _Lookups()
    seen = {}
    parsed = []
    for line, row in raw_rows:
        ref = (row.get("factory_ref") or "").strip()
        if ref in seen:
            result.errors.append(
                RowError(line, "factory_ref", _("'%(ref)s' already appears on line %(line)d.")
                         % {"ref": ref, "line": seen[ref]})
            )  # fmt: skip
            continue
        seen[ref] = line
        parsed.append(_parse_row(line, row, lookups, existing, result.errors))
    if result.errors:
        result.errors.sort(key=lambda error: error.line)
        return result

    with transaction.atomic():
        for row in parsed:
            changed = _factory_changed(row, stored.get(row.factory.ref))
            if changed:
                row.factory.save()
            changed |= _save_contact(row.factory, row.contact)
            if row.workforce:
                changed |= _save_workforce(row.factory, row.workforce, today)
            if row.is_new:
                result.created += 1
            elif changed:
                result.updated += 1
            else:
                result.unchanged += 1
    return result
