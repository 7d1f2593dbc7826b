"""Refreshing the statistics after approval runs in the worker: the head's approval does not wait for it."""

from django.tasks import task

from ims.analytics import aggregates
from ims.assessments.models import ReportRevision
from ims.operations.queue import enqueue_once_with_change, enqueue_with_change


@task
def refresh_after_publication(revision_id):
    revision = ReportRevision.objects.select_related("assessment").get(pk=revision_id)
    if revision.assessment.current_revision().pk == revision.pk:  # a later correction refreshes itself
        aggregates.refresh_for_revision(revision)


def on_report_published(sender, revision, **kwargs):
    enqueue_with_change(refresh_after_publication, revision.pk)


@task
def refresh_standings():
    aggregates.refresh_standings()


def on_standing_input_changed(sender, **kwargs):
    enqueue_once_with_change(refresh_standings)
