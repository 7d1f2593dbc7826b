"""Every save or delete of a checklist version's rows counts as a new revision of its content.

The loader and the admin change checklist rows only through save() and delete() (ims.checklists.models), so
these receivers see every change, including a translator's correction of a frozen version.
"""

from django.db.models import F
from django.db.models.signals import post_delete, post_save

from ims.capture.models import ChecklistRevision
from ims.checklists.models import ApplicabilityCondition, ChecklistVersion, Cluster, CompliancePoint, Question

CHECKLIST_MODELS = (ChecklistVersion, ApplicabilityCondition, Cluster, CompliancePoint, Question)


def _version_id(instance):
    """By ids, without loading related rows: in a cascading delete they may be gone already (then None)."""
    if isinstance(instance, ChecklistVersion):
        return instance.pk
    if isinstance(instance, CompliancePoint):
        return Cluster.objects.filter(pk=instance.cluster_id).values_list("version_id", flat=True).first()
    return instance.version_id


def content_saved(sender, instance, **kwargs):
    version_id = _version_id(instance)
    if not ChecklistRevision.objects.filter(version_id=version_id).update(number=F("number") + 1):
        ChecklistRevision.objects.get_or_create(version_id=version_id)


def content_deleted(sender, instance, **kwargs):
    # Never creates a row: the version itself may be on its way out in the same delete.
    if not isinstance(instance, ChecklistVersion):
        ChecklistRevision.objects.filter(version_id=_version_id(instance)).update(number=F("number") + 1)


def connect():
    for model in CHECKLIST_MODELS:
        post_save.connect(content_saved, sender=model, dispatch_uid=f"checklist-revision-save-{model.__name__}")
        post_delete.connect(content_deleted, sender=model, dispatch_uid=f"checklist-revision-delete-{model.__name__}")
