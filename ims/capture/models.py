"""What offline capture keeps on the server: every submission received, every conflict, every upload in progress.

A tablet may send the same thing twice (it cannot tell whether a request arrived) and may send an
edit based on an answer someone else has changed meanwhile. Receipts make re-sending harmless,
conflicts keep the tablet's version instead of dropping it, and upload sessions let a photo arrive
in pieces over a poor connection without ever counting as stored before every byte is checked.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    TABLET = "tablet", _("Capture app")
    ODK = "odk", _("ODK / Kobo submission")


class SubmissionReceipt(models.Model):
    """One client submission of a finding, by its client UUID: replayed, never applied twice."""

    class Outcome(models.TextChoices):
        CREATED = "created", _("Created")
        UPDATED = "updated", _("Updated")
        UNCHANGED = "unchanged", _("Unchanged")
        CONFLICT = "conflict", _("Conflict")

    client_uuid = models.UUIDField(_("client UUID"), unique=True)
    assessment = models.ForeignKey(
        "assessments.Assessment", verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="+"
    )
    question_code = models.CharField(_("question"), max_length=20)
    content_sha256 = models.CharField(_("content hash"), max_length=64)
    finding = models.ForeignKey(
        "assessments.Finding", verbose_name=_("finding"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    conflict = models.ForeignKey(
        "SyncConflict", verbose_name=_("conflict"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.TABLET)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("received from"), on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("submission receipt")
        verbose_name_plural = _("submission receipts")

    def __str__(self):
        return f"{self.client_uuid} {self.question_code}: {self.outcome}"


class SyncConflictQuerySet(models.QuerySet):
    def open(self):
        return self.filter(resolved_at__isnull=True)


class SyncConflict(models.Model):
    """A submission the server could not apply as sent: kept whole so the monitor decides, nothing is lost."""

    class Resolution(models.TextChoices):
        KEPT_MINE = "kept_mine", _("The tablet's version was sent again and saved")
        TOOK_THEIRS = "took_theirs", _("The stored version was kept")

    assessment = models.ForeignKey(
        "assessments.Assessment", verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="+"
    )
    question_code = models.CharField(_("question"), max_length=20)
    finding = models.ForeignKey(
        "assessments.Finding", verbose_name=_("finding"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    client_uuid = models.UUIDField(_("client UUID"))
    client_payload = models.JSONField(_("what the client sent"))
    server_state = models.JSONField(_("what the server holds"), default=dict)
    message = models.TextField(_("message"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.TABLET)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sent by"), on_delete=models.PROTECT, related_name="+"
    )
    detected_at = models.DateTimeField(_("detected at"), auto_now_add=True)
    resolution = models.CharField(_("resolution"), max_length=20, choices=Resolution.choices, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    objects = SyncConflictQuerySet.as_manager()

    class Meta:
        ordering = ["-detected_at", "-pk"]
        verbose_name = _("sync conflict")
        verbose_name_plural = _("sync conflicts")

    def __str__(self):
        return f"{self.assessment_id} {self.question_code} ({self.client_uuid})"


class UploadSession(models.Model):
    """One photo arriving in pieces. Complete only once every byte arrived and its SHA-256 matched."""

    client_uuid = models.UUIDField(_("client UUID"), unique=True)
    assessment = models.ForeignKey(
        "assessments.Assessment", verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="+"
    )
    finding = models.ForeignKey(
        "assessments.Finding", verbose_name=_("finding"), on_delete=models.CASCADE, related_name="+"
    )
    expected_size = models.PositiveIntegerField(_("expected size in bytes"))
    expected_sha256 = models.CharField(_("expected SHA-256"), max_length=64)
    received = models.PositiveIntegerField(_("bytes received"), default=0)
    evidence = models.OneToOneField(
        "assessments.Evidence",
        verbose_name=_("evidence"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("upload session")
        verbose_name_plural = _("upload sessions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(received__lte=models.F("expected_size")), name="upload_received_within_size"
            ),
            models.CheckConstraint(
                condition=models.Q(completed_at__isnull=True)
                | models.Q(received=models.F("expected_size"), evidence__isnull=False),
                name="upload_complete_only_when_whole",
            ),
        ]

    def __str__(self):
        return f"{self.client_uuid} {self.received}/{self.expected_size}"

    @property
    def is_complete(self):
        return self.completed_at is not None


class UploadChunk(models.Model):
    """A received piece of an upload, in the database so any app server can take the next piece."""

    session = models.ForeignKey(UploadSession, on_delete=models.CASCADE, related_name="chunks")
    offset = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        ordering = ["offset"]
        constraints = [models.UniqueConstraint(fields=["session", "offset"], name="one_chunk_per_offset")]

    def __str__(self):
        return f"{self.session_id} @{self.offset}"


class ExternalSubmission(models.Model):
    """An ODK / Kobo / Enketo submission, by its instanceID: imported once, never twice."""

    instance_id = models.CharField(_("instance ID"), max_length=100, unique=True)
    assessment = models.ForeignKey(
        "assessments.Assessment", verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="+"
    )
    content_sha256 = models.CharField(_("content hash"), max_length=64)
    findings = models.PositiveIntegerField(_("findings in the submission"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("imported by"), on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)

    class Meta:
        verbose_name = _("ODK submission")
        verbose_name_plural = _("ODK submissions")

    def __str__(self):
        return self.instance_id


class ChecklistRevision(models.Model):
    """How often a checklist version's content has changed (ims.capture.signals counts every save and delete).

    Tablets keep the checklist file for good, so its address carries this number: a corrected translation
    gets a new address, and a tablet sees from its package that it must download the checklist again.
    """

    version = models.OneToOneField(
        "checklists.ChecklistVersion", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    number = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("checklist revision")
        verbose_name_plural = _("checklist revisions")

    def __str__(self):
        return f"{self.version_id} r{self.number}"
