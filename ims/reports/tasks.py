"""Background work: approval does not wait for six PDFs to be typeset."""

from django.tasks import task

from ims.assessments.models import ReportRevision


@task
def render_report_documents(revision_id):
    # Imported here: WeasyPrint and matplotlib take a while to load, and every process loads this module.
    from ims.reports.rendering import render_revision

    revision = ReportRevision.objects.select_related("assessment__factory").get(pk=revision_id)
    return [rendered.pk for rendered in render_revision(revision)]


def on_report_published(sender, revision, **kwargs):
    render_report_documents.enqueue(revision.pk)
