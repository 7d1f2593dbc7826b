"""The devices' endpoint for batches of readings, and a factory's readings page."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from ims import policy
from ims.core.errors import DomainError, Invalid
from ims.core.input_checks import load_json
from ims.core.listing import paginate
from ims.factories.models import Factory
from ims.policy.guards import guard
from ims.readings import services, thresholds
from ims.readings.forms import BreachFilterForm

DEVICE_SCHEME = "Device "


@csrf_exempt
@guard(POST="readings.submit")
def ingest(request):
    """POST {"readings": [...]} with `Authorization: Device <token>`; 201 with the count stored."""
    header = request.headers.get("Authorization", "")
    device = (
        services.device_for_token(header[len(DEVICE_SCHEME) :].strip()) if header.startswith(DEVICE_SCHEME) else None
    )
    if device is None:
        return JsonResponse({"error": "not_authenticated", "message": _("Unknown device token.")}, status=401)
    try:
        payload = load_json(request.body)  # no NUL, lone surrogate, 1e400 or nesting 100,000 deep
    except Invalid as error:
        return JsonResponse({"error": error.code, "message": error.message}, status=400)
    try:
        rows = services.parse_batch(payload)
    except DomainError as error:
        body = {"error": error.code, "message": error.message, "problems": error.details.get("problems", [])}
        return JsonResponse(body, status=error.status)
    stored = services.store_readings(device, rows)
    return JsonResponse({"received": len(rows), "stored": stored}, status=201)


@guard(GET="readings.read")
def factory_readings(request, ref):
    factory = policy.get_or_404(request.user, "readings.read", Factory.objects, ref=ref)
    breaches = services.factory_breaches(factory).order_by("-day", "kind", "device__name", "pk")
    listing = paginate(request, breaches, BreachFilterForm(request.GET))
    context = {
        "factory": factory,
        "devices": factory.devices.all(),
        "listing": listing,
        "hours": services.recent_hours(factory).order_by("-hour", "device__name")[:480],
        "noise_limit": thresholds.NOISE_LIMIT_DBA,
        "heat_limit": thresholds.HEAT_LIMIT_WBGT,
        "noise_questions": thresholds.NOISE_QUESTIONS,
        "heat_questions": thresholds.HEAT_QUESTIONS,
    }
    return render(request, "readings/factory.html", context, status=listing.status)
