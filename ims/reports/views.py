"""Public summary pages, PDF downloads and the public verification page.

A summary (page or PDF) is public for every revision of a published assessment. A detailed PDF is
shown to whoever the policy lets read the detailed report ("report.read"), else 404.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from ims import policy
from ims.assessments.models import Assessment, Finding
from ims.core.errors import DomainError
from ims.operations.errors import error_response
from ims.policy.guards import guard
from ims.reports.documents import LANGUAGES, document_context
from ims.reports.forms import NoteTranslationForm
from ims.reports.models import Kind
from ims.reports.note_translations import translate_note
from ims.reports.throttling import typesetting_allowed
from ims.reports.verification import verify_code, verify_file
from ims.responses.views import report_url


def _revision(user, action, ref, number):
    assessment = policy.get_or_404(
        user, action, Assessment.objects.select_related("factory", "checklist_version"), ref=ref
    )
    return assessment, get_object_or_404(assessment.revisions.select_related("approved_by"), number=number)


@guard(GET="summary.read")
def summary(request, ref, number):
    assessment, revision = _revision(request.user, "summary.read", ref, number)
    context = {
        "report": document_context(revision, Kind.SUMMARY, get_language()),
        "assessment": assessment,
        "revision": revision,
        "revisions": list(assessment.revisions.defer("snapshot").order_by("number")),
    }
    return render(request, "reports/document/summary_page.html", context)


def _pdf_response(request, revision, kind, language):
    from ims.reports.rendering import stored_document, verified_document  # loads WeasyPrint only where needed

    if language not in LANGUAGES:
        raise Http404
    if stored_document(revision, kind, language) is None and not typesetting_allowed(request):
        return error_response(request, "typesetting_busy")
    _rendered, pdf = verified_document(revision, kind, language)
    assessment = revision.assessment
    return FileResponse(
        pdf,
        content_type="application/pdf",
        filename=f"{assessment.ref}-r{revision.number}-{kind}-{language}.pdf",
    )


@guard(GET="summary.read")
def summary_pdf(request, ref, number, language):
    _assessment, revision = _revision(request.user, "summary.read", ref, number)
    return _pdf_response(request, revision, Kind.SUMMARY, language)


@guard(GET="report.read")
def detailed_pdf(request, ref, number, language):
    _assessment, revision = _revision(request.user, "report.read", ref, number)
    return _pdf_response(request, revision, Kind.DETAILED, language)


class VerifyForm(forms.Form):
    code = forms.CharField(label=_("Verification code"), required=False, max_length=200)
    # A plain file input: the default clearable one also reads "document-clear", which leaves False for the file.
    document = forms.FileField(label=_("Or the PDF file"), required=False, widget=forms.FileInput)

    def clean_document(self):
        document = self.cleaned_data["document"]
        if document is not None and document.size > settings.IMS_MAX_VERIFY_BYTES:
            raise forms.ValidationError(_("This file is larger than any report IMS produces."))
        return document

    def clean(self):
        data = super().clean()
        if not data.get("code") and not data.get("document") and not self.errors:
            raise forms.ValidationError(
                _("Enter the verification code printed in the report's footer, or choose the PDF file.")
            )
        return data


@guard(GET="public.read", POST="public.read")
def verify(request):
    """Anyone may check a report: by its printed code (form or ?code= link) or by uploading the PDF."""
    form, checked, verdict, status = VerifyForm(), None, None, 200
    if request.method == "POST" or "code" in request.GET:
        form = VerifyForm(request.POST if request.method == "POST" else request.GET, request.FILES)
        if form.is_valid():
            document = form.cleaned_data["document"]
            checked = "file" if document else "code"
            verdict = verify_file(document) if document else verify_code(form.cleaned_data["code"])
        else:
            status = 400
    return render(
        request, "reports/document/verify.html", {"form": form, "checked": checked, "verdict": verdict}, status=status
    )


@guard(GET="note.translate", POST="note.translate")
def translate_finding_note(request, finding_id):
    """Programme staff add a translation of a monitor's note; the report shows it beside the original."""
    findings = policy.scope(request.user, "note.translate", Finding.objects, via="assessment")
    finding = get_object_or_404(findings.select_related("assessment__factory", "question"), pk=finding_id)
    form = NoteTranslationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                translate_note(finding, request.user, form.cleaned_data["language"], form.cleaned_data["text"])
            except DomainError as error:
                messages.error(request, error.message)
                status = error.status
            else:
                messages.success(request, gettext("The translation was saved."))
                return redirect(report_url(finding))
    context = {"finding": finding, "form": form}
    return render(request, "reports/translate_note.html", context, status=status)
