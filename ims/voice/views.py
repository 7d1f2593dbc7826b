"""Worker voice pages: campaigns and their aggregates, answer cards, alerts, the survey and the webhook.

Services do the work (ims.voice.services); the policy decides who sees what (ims.policy): aggregates
to programme staff and to the factory for its own campaigns, alerts to the programme head only.
"""

import io

import segno
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from ims import policy
from ims.core.errors import DomainError, Invalid
from ims.core.input_checks import load_json
from ims.core.listing import paginate
from ims.core.numbers import record_id
from ims.notifications.messages import site_url
from ims.policy.guards import guard
from ims.voice import rapidpro, services
from ims.voice.forms import AlertFilterForm, CampaignFilterForm, CampaignForm, CardsForm, SurveyForm
from ims.voice.models import Alert, Campaign, Response

SURVEY_LANGUAGES = ("km", "en", "zh-hans")  # Khmer first
ALERTS_PAGE_SIZE = 50


def _visible_campaigns(user):
    return policy.scope(user, "voice.results", Campaign.objects.select_related("factory"))


@guard(GET="voice.open", POST="voice.manage")
def index(request):
    form = CampaignForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                campaign, secret = services.create_campaign(request.user, **form.cleaned_data)
            except DomainError as error:
                form.add_error(None, error.message)
                status = error.status
            else:
                messages.success(request, _("Campaign %(code)s created.") % {"code": campaign.code})
                return _campaign_page(request, campaign, secret=secret, status=201)
        else:
            status = 400
    campaigns = _visible_campaigns(request.user).order_by("-starts_on", "-pk")
    listing = paginate(request, campaigns, CampaignFilterForm(request.GET))
    context = {"listing": listing, "form": form, "manages": policy.may_ever(request.user, "voice.manage")}
    return render(request, "voice/index.html", context, status=max(status, listing.status))


def _campaign_page(request, campaign, *, secret=None, status=200):
    context = {
        "campaign": campaign,
        "results": services.campaign_results(campaign),
        "respondents": services.respondents(campaign),
        "minimum": services.minimum_respondents(),
        "manages": policy.may_ever(request.user, "voice.manage"),
        "secret": secret,
        "webhook_url": site_url() + reverse("voice_api:rapidpro", args=[campaign.code]),
        "cards_form": CardsForm(),
    }
    return render(request, "voice/campaign.html", context, status=status)


@guard(GET="voice.results")
def campaign(request, code):
    found = policy.get_or_404(request.user, "voice.results", Campaign.objects.select_related("factory"), code=code)
    return _campaign_page(request, found)


def _qr_svg(url):
    output = io.BytesIO()
    segno.make(url, error="m").save(output, kind="svg", scale=3, xmldecl=False, svgns=False)
    return output.getvalue().decode()


@guard(POST="voice.manage")
def cards(request, code):
    found = policy.get_or_404(request.user, "voice.results", Campaign.objects.select_related("factory"), code=code)
    form = CardsForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say how many answer cards to print, between 1 and 500."))
        return redirect("voice:campaign", code=found.code)
    try:
        tokens = services.issue_cards(request.user, found, form.cleaned_data["count"])
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("voice:campaign", code=found.code)
    links = [site_url() + reverse("voice_survey:answer", args=[found.code, token]) for token in tokens]
    printed = [{"url": link, "qr": _qr_svg(link)} for link in links]
    return render(request, "voice/cards.html", {"campaign": found, "cards": printed}, status=201)


@guard(GET="voice.alerts", POST="voice.alerts")
def alerts(request):
    if request.method == "POST":
        alert_id = record_id(request.POST.get("alert", ""))
        alert = Alert.objects.filter(pk=alert_id).first() if alert_id else None
        if alert is None:
            messages.error(request, _("Choose an alert."))
        else:
            services.acknowledge_alert(request.user, alert)
            messages.success(request, _("Alert marked as handled."))
        return redirect(request.get_full_path())  # back to the page and filters it was on
    rows = Alert.objects.select_related("factory", "campaign", "acknowledged_by").order_by("-raised_at", "-pk")
    listing = paginate(request, rows, AlertFilterForm(request.GET), per_page=ALERTS_PAGE_SIZE)
    return render(request, "voice/alerts.html", {"listing": listing}, status=listing.status)


def _survey_language(request):
    chosen = request.GET.get("lang", "")
    return chosen if chosen in SURVEY_LANGUAGES else SURVEY_LANGUAGES[0]


@guard(GET="voice.answer", POST="voice.answer")
def survey(request, code, token):
    """The web survey on a worker's phone; the short link and QR code hold the one-time card token."""
    language = _survey_language(request)
    with translation.override(language):
        card = services.card_for(code, token)
        form = SurveyForm(request.POST or None)
        context = {"form": form, "language": language, "languages": SURVEY_LANGUAGES, "card": card}
        if card is None:
            return render(request, "voice/survey_closed.html", context, status=404)
        if request.method == "POST" and form.is_valid():
            try:
                services.answer_with_card(code, token, form.answers(), form.cleaned_data["comment"])
            except DomainError as error:
                context["error"] = error.message
                return render(request, "voice/survey.html", context, status=error.status)
            return render(request, "voice/survey_done.html", context, status=201)
        return render(request, "voice/survey.html", context, status=400 if request.method == "POST" else 200)


def _json_error(error):
    return JsonResponse({"error": error.code, "message": error.message}, status=error.status)


@csrf_exempt
@guard(POST="voice.answer")
def rapidpro_webhook(request, code):
    """RapidPro's flow webhook, authenticated by the campaign's secret in the X-IMS-Secret header."""
    try:
        found = services.campaign_for_webhook(code, request.headers.get("X-IMS-Secret", ""))
        try:
            payload = load_json(request.body)  # no NUL, lone surrogate, 1e400 or nesting 100,000 deep
        except Invalid as error:
            return JsonResponse({"error": error.code, "message": error.message}, status=400)
        flow = rapidpro.parse(payload, found)
        recorded = services.record_answers(
            found, flow.answers, flow.free_texts, channel=Response.Channel.RAPIDPRO, contact_uuid=flow.contact_uuid
        )
    except DomainError as error:
        return _json_error(error)
    return JsonResponse({"answers": recorded.answers, "stored": True}, status=201)
