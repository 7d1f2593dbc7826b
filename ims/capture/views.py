"""Pages of the offline capture app: the monitor's list, the capture screen shell, the manifest and
service worker, and the ODK import form. The capture screen's content comes from the package the page's
script downloads into IndexedDB, so the same page works with the network off."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from ims.assessments.models import Status
from ims.assessments.workflow import head_comment, require_editable
from ims.capture import odk
from ims.capture.assessments import capture_assessments, get_capture_assessment
from ims.capture.package import PACKAGE_FORMAT, checklist_url
from ims.capture.strings import app_strings
from ims.checklists.models import ChecklistVersion
from ims.core.errors import DomainError, NotAllowed
from ims.policy.guards import guard

OPEN_STATUSES = (Status.PLANNED, Status.IN_PROGRESS, Status.RETURNED, Status.CORRECTING)
# The capture screen's ES modules (ims/static/capture/), preloaded together and cached for offline use.
SCREEN_MODULES = ("answers", "api", "cards", "conditions", "dom", "navigation", "photos", "store", "sync-queue", "text")


@guard(GET="capture.open")
def index(request):
    """The monitor's assessments to take onto the tablet, and the ODK forms of each checklist version."""
    assessments = (
        capture_assessments(request.user)
        .filter(status__in=OPEN_STATUSES)
        .select_related("factory", "checklist_version")
        .order_by("-visit_start", "-pk")
    )
    return render(
        request,
        "capture/index.html",
        {"assessments": assessments, "versions": ChecklistVersion.objects.filter(frozen_at__isnull=False)},
    )


@guard(GET="capture.take")
def app(request, ref):
    """The capture screen's shell; its script renders the downloaded package and works offline."""
    try:
        assessment = get_capture_assessment(request.user, ref)
    except NotAllowed:
        raise PermissionDenied from None
    urls = {
        "package": reverse("capture_api:package", args=[ref]),
        # Known here already, so a tablet without it downloads the checklist and the package at once.
        "checklist": checklist_url(assessment.checklist_version),
        "findings": reverse("capture_api:findings", args=[ref]),
        "uploads": reverse("capture_api:uploads", args=[ref]),
        "upload": reverse("capture_api:upload", args=["00000000-0000-0000-0000-000000000000"]),
        "syncCheck": reverse("capture_api:sync_check", args=[ref]),
        "resolve": reverse("capture_api:resolve_conflict", args=[0]),
        "evidence": reverse("assessments:evidence", args=[ref, 0]),
        "serviceWorker": reverse("capture_api:service_worker"),
        "index": reverse("capture:index"),
        "manifest": reverse("capture:manifest"),
    }
    return render(
        request,
        "capture/app.html",
        {
            "assessment": assessment,
            "clusters": assessment.checklist_version.clusters.order_by("order"),
            "head_comment": head_comment(assessment),
            "modules": [f"capture/{name}.js" for name in SCREEN_MODULES],
            "config": {
                "ref": ref,
                "user": request.user.pk,
                "packageFormat": PACKAGE_FORMAT,
                "language": get_language(),
                "urls": urls,
                "strings": app_strings(),
            },
        },
    )


@guard(GET="public.read")
def manifest(request):
    """The web app manifest in the page's language: installs the capture app on the tablet's home screen."""
    body = {
        "name": _("IMS offline capture"),
        "short_name": _("IMS capture"),
        "description": _("Capture assessment findings in factories, with or without a network."),
        "lang": get_language(),
        "start_url": reverse("capture:index"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1f4e8c",
        "icons": [
            {
                "src": static(f"capture/icons/icon-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "any maskable",
            }
            for size in (192, 512)
        ],
    }
    return JsonResponse(body, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})


@never_cache
@guard(GET="public.read")
def service_worker(request):
    """The service worker script, allowed to control every language's capture pages from one URL."""
    with open(finders.find("capture/service-worker.js"), encoding="utf-8") as handle:
        script = handle.read()
    script = script.replace("__STATIC_URL__", json.dumps(settings.STATIC_URL if settings.STATIC_URL.startswith("/")
                                                            else f"/{settings.STATIC_URL}"))  # fmt: skip
    response = HttpResponse(script, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


@guard(GET="capture.take")
def import_form(request, ref):
    """Upload ODK / Kobo submissions (XML or JSON files) as this assessment's findings."""
    try:
        assessment = get_capture_assessment(request.user, ref)
    except NotAllowed:
        raise PermissionDenied from None
    return render(request, "capture/import.html", {"assessment": assessment})


@guard(POST="finding.edit")
def import_submissions(request, ref):
    try:
        assessment = get_capture_assessment(request.user, ref)
        require_editable(assessment, request.user)
    except NotAllowed:
        raise PermissionDenied from None
    except DomainError as error:  # a state that forbids edits now: said on the form, nothing imported
        messages.error(request, error.message)
        return render(request, "capture/import.html", {"assessment": assessment}, status=error.status)
    files = request.FILES.getlist("submissions")
    if not files:
        messages.error(request, _("Choose at least one submission file."))
        return redirect("capture:import", ref=ref)
    imported = []
    for upload in files:
        try:
            with transaction.atomic():  # all or nothing per file
                parsed = odk.parse_submissions(upload.read(), upload.content_type or "")
                results = [odk.import_submission(assessment, fields, request.user) for fields in parsed]
        except DomainError as error:
            messages.error(request, f"{upload.name}: {error.message}")
        else:
            imported += results
    for result in imported:
        if result.replayed:
            messages.info(request, _("%(id)s was already imported: nothing changed.") % {"id": result.instance_id})
        else:
            messages.success(request, _("%(id)s: %(created)d findings created, %(updated)d changed, "
                                        "%(conflicts)d conflicts.") % {
                "id": result.instance_id, "created": result.created, "updated": result.updated,
                "conflicts": len(result.conflicts)})  # fmt: skip
    return redirect("capture:import", ref=ref)
