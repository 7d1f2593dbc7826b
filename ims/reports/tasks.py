"""Background work: approval does not wait for six PDFs to be typeset, nor does a factory's response."""

from django.tasks import task

from ims.assessments.models import Assessment, ReportRevision
from ims.operations.queue import enqueue_once_with_change, enqueue_with_change


@task
def render_report_documents(revision_id):
    # Imported here: WeasyPrint and matplotlib take a while to load, and every process loads this module.
    from ims.reports.rendering import render_revision

    revision = ReportRevision.objects.select_related("assessment__factory").get(pk=revision_id)
    return [rendered.pk for rendered in render_revision(revision)]


@task
def render_current_report_documents(assessment_id):
    """The current revision's documents again: they print the factory's objections and action plan."""
    revision = Assessment.objects.get(pk=assessment_id).current_revision()
    if revision is None:
        return []
    return render_report_documents.call(revision.pk)


def on_report_published(sender, revision, **kwargs):
    enqueue_with_change(render_report_documents, revision.pk)


def on_response_saved(sender, instance, **kwargs):
    """An objection, ruling, action, progress note or note translation changed what the documents print."""
    finding = instance.item.finding if hasattr(instance, "item") else instance.finding
    enqueue_once_with_change(render_current_report_documents, finding.assessment_id)
