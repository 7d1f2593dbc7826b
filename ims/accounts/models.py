from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class User(AbstractUser):
    """A person who signs in with an email address."""

    class NoticeDelivery(models.TextChoices):
        IMMEDIATELY = "immediately", _("Immediately, one email per event")
        DAILY = "daily", _("Once a day, in one email")

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    notice_delivery = models.CharField(
        _("notification emails"), max_length=12, choices=NoticeDelivery.choices, default=NoticeDelivery.IMMEDIATELY
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]
    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                Lower("email"), name="unique_email_ignoring_case",
                violation_error_message=_("A user with this email address already exists."),
            )
        ]  # fmt: skip

    def __str__(self):
        return self.full_name or self.email

    def save(self, *args, **kwargs):
        # Sign-in matches addresses without regard to case, so they are stored in one case.
        self.email = self.email.strip().lower()
        # set_password() keeps the new password here until saved: a changed or reset password (page, admin,
        # command) revokes the API tokens, which might be in the hands the change is meant to shut out.
        password_changed = self._password is not None and self.pk is not None
        super().save(*args, **kwargs)
        if password_changed:
            self.api_tokens.all().delete()

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        # Names are written family-name first in Khmer and Chinese: the whole name is the safe choice.
        return self.full_name or self.email


class Organisation(models.Model):
    class Kind(models.TextChoices):
        PROGRAMME = "programme", _("Programme")
        FACTORY = "factory", _("Factory")
        BUYER = "buyer", _("Buyer")
        PARTNER = "partner", _("Partner")

    class PartnerType(models.TextChoices):
        GOVERNMENT = "government", _("Government")
        EMPLOYERS = "employers", _("Employers' association")
        UNION = "union", _("Union")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    partner_type = models.CharField(_("partner type"), max_length=20, choices=PartnerType.choices, blank=True)
    factory = models.OneToOneField(
        "factories.Factory",
        verbose_name=_("factory"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisation",
    )
    country = models.CharField(_("country"), max_length=2, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="factory", factory__isnull=False)
                | (~models.Q(kind="factory") & models.Q(factory__isnull=True)),
                name="factory_organisation_has_factory",
                violation_error_message=_("A factory organisation must name its factory, and only it may."),
            ),
            models.CheckConstraint(
                condition=models.Q(kind="partner") | models.Q(partner_type=""),
                name="partner_type_only_for_partners",
                violation_error_message=_("Only partner organisations have a partner type."),
            ),
        ]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    MONITOR = "monitor", _("Monitor")
    HEAD = "head", _("Programme head")
    PROGRAMME_ADMIN = "programme_admin", _("Programme administrator")
    TRANSLATOR = "translator", _("Translator")
    TRAINER = "trainer", _("Trainer")
    ADVISOR = "advisor", _("Advisor")
    FACTORY_MANAGER = "factory_manager", _("Factory manager")
    BUYER_VIEWER = "buyer_viewer", _("Buyer viewer")
    PARTNER_ANALYST = "partner_analyst", _("Partner analyst")


# Where each role is held; what a role may do is decided in ims.policy.
ORGANISATION_KIND_OF_ROLE = {
    Role.MONITOR: Organisation.Kind.PROGRAMME,
    Role.HEAD: Organisation.Kind.PROGRAMME,
    Role.PROGRAMME_ADMIN: Organisation.Kind.PROGRAMME,
    Role.TRANSLATOR: Organisation.Kind.PROGRAMME,
    Role.TRAINER: Organisation.Kind.PROGRAMME,
    Role.ADVISOR: Organisation.Kind.PROGRAMME,
    Role.FACTORY_MANAGER: Organisation.Kind.FACTORY,
    Role.BUYER_VIEWER: Organisation.Kind.BUYER,
    Role.PARTNER_ANALYST: Organisation.Kind.PARTNER,
}


class Membership(models.Model):
    """A user's role in one organisation; a user may hold several."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["user", "organisation", "role"], name="unique_membership_role")]

    def __str__(self):
        return f"{self.user} - {self.get_role_display()} - {self.organisation}"

    def save(self, *args, **kwargs):
        self.full_clean()
        super().save(*args, **kwargs)

    def clean(self):
        expected_kind = ORGANISATION_KIND_OF_ROLE.get(self.role)
        if self.organisation_id and expected_kind and self.organisation.kind != expected_kind:
            raise ValidationError(
                {
                    "role": _("The role %(role)s belongs in a %(kind)s organisation.")
                    % {"role": self.get_role_display(), "kind": Organisation.Kind(expected_kind).label}
                }
            )
