from functools import cache

from babel import Locale
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ims.core.i18n import babel_locale
from ims.core.listing import factory_matches
from ims.core.translated import TranslatedContent


@cache
def country_codes():
    """ISO 3166 alpha-2 codes known to CLDR (letters only: numeric codes are regions)."""
    return frozenset(code for code in Locale.parse("en").territories if code.isalpha() and len(code) == 2)


def validate_country(code):
    if code not in country_codes():
        raise ValidationError(_("'%(code)s' is not an ISO 3166 country code."), params={"code": code})


def country_name(code):
    """The country's name in the active language, from CLDR."""
    return babel_locale(get_language()).territories.get(code, code)


class Province(TranslatedContent):
    translated_fields = ("name",)

    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    def __str__(self):
        return self.name or self.name_en


class District(TranslatedContent):
    translated_fields = ("name",)

    province = models.ForeignKey(
        Province, verbose_name=_("province"), on_delete=models.PROTECT, related_name="districts"
    )
    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["province", "name_en"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self):
        return self.name or self.name_en


class FactoryQuerySet(models.QuerySet):
    def lock(self, factory):
        """Hold the factory's row until the transaction ends, so that changes to it one at a time (planning, granting)
        see what the previous one took. On SQLite writers take turns anyway."""
        self.select_for_update().filter(pk=factory.pk).first()

    def search(self, text):
        """Match a fragment of any of the three names, the reference or a licence number."""
        text = (text or "").strip()
        if not text:
            return self
        return self.filter(factory_matches(text))


class Sector(models.TextChoices):
    GARMENT = "garment", _("Garment")
    FOOTWEAR = "footwear", _("Footwear")
    TRAVEL_GOODS_BAGS = "travel_goods_bags", _("Travel goods and bags")


class Factory(models.Model):
    """An export factory in the programme's registry."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        CLOSED = "closed", _("Closed")

    ref = models.CharField(_("factory reference"), max_length=40, unique=True)
    name_en = models.CharField(_("name (Latin script)"), max_length=200, db_index=True)
    name_km = models.CharField(_("name (Khmer script)"), max_length=200, blank=True, db_index=True)
    name_zh = models.CharField(_("name (Chinese script)"), max_length=200, blank=True, db_index=True)
    registration_no = models.CharField(_("registration number"), max_length=60, blank=True)
    export_licence_no = models.CharField(_("export licence number"), max_length=60, blank=True)
    sector = models.CharField(_("sector"), max_length=30, choices=Sector.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    address = models.CharField(_("street address"), max_length=300, blank=True)
    province = models.ForeignKey(
        Province, verbose_name=_("province"), on_delete=models.PROTECT, related_name="factories"
    )
    district = models.ForeignKey(
        District,
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="factories",
        null=True,
        blank=True,
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    head_office_country = models.CharField(
        _("head office country"), max_length=2, blank=True, validators=[validate_country]
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = FactoryQuerySet.as_manager()

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("factory")
        verbose_name_plural = _("factories")
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="factory_gps_complete",
                violation_error_message=_("Give both latitude and longitude, or neither."),
            )
        ]

    def __str__(self):
        return self.name_en

    @property
    def display_name(self):
        """The factory's own name in the script of the active language, if it has one."""
        language = get_language()
        if language == "km" and self.name_km:
            return self.name_km
        if language == "zh-hans" and self.name_zh:
            return self.name_zh
        return self.name_en

    @property
    def head_office_country_name(self):
        return country_name(self.head_office_country) if self.head_office_country else ""

    def clean(self):
        if self.district_id and self.province_id and self.district.province_id != self.province_id:
            raise ValidationError({"district": _("This district is not in the chosen province.")})


class Contact(models.Model):
    """Someone at the factory whom the programme writes to, in their language."""

    factory = models.ForeignKey(Factory, verbose_name=_("factory"), on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=200, blank=True)
    position = models.CharField(_("position"), max_length=200, blank=True)
    email = models.EmailField(_("email address"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=settings.LANGUAGES, default="km"
    )
    has_email = models.BooleanField(_("reads email"), default=True)
    has_internet = models.BooleanField(_("has internet access"), default=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)

    class Meta:
        ordering = ["-is_primary", "name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.CheckConstraint(
                condition=Q(has_email=False) | ~Q(email=""),
                name="contact_with_email_has_address",
                violation_error_message=_("A contact who reads email needs an email address."),
            ),
            models.UniqueConstraint(
                fields=["factory"], condition=Q(is_primary=True), name="one_primary_contact_per_factory"
            ),
        ]

    def __str__(self):
        return self.name or self.email or str(self.factory)


class WorkforceSnapshot(models.Model):
    """Head counts on a given day; reports and statistics read employment from these."""

    class Source(models.TextChoices):
        REGISTRY = "registry", _("Registry")
        IMPORT = "import", _("Import")
        ASSESSMENT = "assessment", _("Assessment visit")

    factory = models.ForeignKey(
        Factory, verbose_name=_("factory"), on_delete=models.CASCADE, related_name="workforce_snapshots"
    )
    as_of = models.DateField(_("as of"))
    workers_total = models.PositiveIntegerField(_("workers"))
    workers_female = models.PositiveIntegerField(_("women workers"))
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.REGISTRY)

    class Meta:
        ordering = ["factory", "-as_of"]
        get_latest_by = "as_of"
        verbose_name = _("workforce snapshot")
        verbose_name_plural = _("workforce snapshots")
        constraints = [
            models.UniqueConstraint(fields=["factory", "as_of"], name="one_snapshot_per_factory_day"),
            models.CheckConstraint(
                condition=Q(workers_female__lte=models.F("workers_total")),
                name="women_within_total",
                violation_error_message=_("Women workers cannot exceed the total."),
            ),
        ]

    def __str__(self):
        return f"{self.factory} {self.as_of}: {self.workers_total}"
