"""Campaigns, answer sets from RapidPro and the web survey, and the aggregates that may be shown.

Every answer set comes through `record_answers`: it keeps yes/no answers to known questions, reads any
free text for grievance words (then drops it) and raises an alert to the programme head when one is
found. Results are shown only as aggregates, and only for a question that at least
`minimum_respondents()` workers answered in the campaign.
"""

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ims import policy
from ims.accounts.models import User
from ims.audit.models import record
from ims.core.dates import require_within, years_from_today
from ims.core.errors import Conflict, Invalid, NotAllowed
from ims.factories.models import Factory
from ims.operations.queue import enqueue_with_change
from ims.voice.alerts import send_alert_emails
from ims.voice.grievances import grievances_in
from ims.voice.models import Alert, AlertEmail, AnswerCard, Campaign, Response
from ims.voice.models import Answer as StoredAnswer
from ims.voice.questions import BY_KEY, QUESTIONS

# Never fewer respondents than this, whatever the settings say: below it one worker could be singled out.
FLOOR_RESPONDENTS = 5
MAX_CARDS_AT_ONCE = 500
# A campaign is planned at most this far ahead (a date in year 9999 is a slip, and overflows day arithmetic).
CAMPAIGN_YEARS_AHEAD = 2


def minimum_respondents() -> int:
    return max(FLOOR_RESPONDENTS, int(getattr(settings, "IMS_VOICE_MIN_RESPONDENTS", 10)))


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_code():
    while True:
        code = secrets.token_urlsafe(6).replace("-", "x").replace("_", "y")[:8]
        if not Campaign.objects.filter(code=code).exists():
            return code


@transaction.atomic
def create_campaign(
    actor: User, *, factory: Factory, starts_on: date, ends_on: date, rapidpro_flow: str | None = None
) -> tuple[Campaign, str]:
    """A new campaign and its webhook secret, which is shown this once and stored only as a digest."""
    policy.require(actor, "voice.manage", message=_("Only the programme head and administrators run campaigns."))
    if ends_on < starts_on:
        raise Invalid(_("The last day cannot be before the first."))
    require_within(starts_on, _("The first day"), latest=years_from_today(CAMPAIGN_YEARS_AHEAD))
    require_within(ends_on, _("Last day"), latest=years_from_today(CAMPAIGN_YEARS_AHEAD))
    secret = secrets.token_urlsafe(24)
    campaign = Campaign.objects.create(
        factory=factory, code=_new_code(), starts_on=starts_on, ends_on=ends_on, secret_digest=digest(secret),
        contact_salt=secrets.token_hex(32), rapidpro_flow=rapidpro_flow, created_by=actor,
    )  # fmt: skip
    record(actor, "voice.campaign_created", campaign, factory=factory, code=campaign.code)
    return campaign, secret


def campaign_for_webhook(code: str, secret: str | None) -> Campaign:
    """The campaign whose webhook this is, if the secret is its own; NotAllowed otherwise (either way)."""
    campaign = Campaign.objects.select_related("factory").filter(code=code).first()
    if campaign is None or not secret or not hmac.compare_digest(campaign.secret_digest, digest(secret)):
        raise NotAllowed(_("Unknown campaign or wrong secret."))
    return campaign


@transaction.atomic
def issue_cards(actor: User, campaign: Campaign, count: int) -> list[str]:
    """One-time tokens for the web survey (printed as QR codes); returned once, stored as digests."""
    policy.require(actor, "voice.manage", message=_("Only the programme head and administrators run campaigns."))
    if not 1 <= count <= MAX_CARDS_AT_ONCE:
        raise Invalid(_("Issue between 1 and %(most)d cards at a time.") % {"most": MAX_CARDS_AT_ONCE})
    tokens = [secrets.token_urlsafe(12) for _number in range(count)]
    AnswerCard.objects.bulk_create(AnswerCard(campaign=campaign, token_digest=digest(token)) for token in tokens)
    record(actor, "voice.cards_issued", campaign, factory=campaign.factory, count=count)
    return tokens


def card_for(code: str, token: str) -> AnswerCard | None:
    """The unused card of a campaign for this token, or None."""
    return (
        AnswerCard.objects.select_related("campaign__factory")
        .filter(campaign__code=code, token_digest=digest(token or ""), used_at__isnull=True)
        .first()
    )


def contact_hash(campaign: Campaign, contact_uuid: object) -> str:
    """The same worker gives the same hash within a campaign and an unrelated one in any other."""
    return hmac.new(campaign.contact_salt.encode(), str(contact_uuid).encode(), hashlib.sha256).hexdigest()


@dataclass
class Recorded:
    answers: int
    alert: Alert | None


def _check_open(campaign, day):
    if not campaign.starts_on <= day <= campaign.ends_on:
        raise Conflict(_("This survey is closed."))


def record_answers(
    campaign: Campaign,
    answers: dict[str, str],
    free_texts: Iterable[str],
    *,
    channel: str,
    contact_uuid: object = None,
    day: date | None = None,
) -> "Recorded":
    """Store one answer set: answers {question key: yes|no}; free texts are checked for grievances, not kept.

    A RapidPro contact answering again in the same campaign updates its answer set (a flow may call the
    webhook after each question); a web answer set is always new (its card is spent by the caller).
    """
    day = day or timezone.localdate()
    _check_open(campaign, day)
    unknown = sorted(set(answers) - set(BY_KEY))
    if unknown:
        raise Invalid(_("Unknown questions: %(keys)s.") % {"keys": ", ".join(unknown)})
    kinds = sorted({kind for text in free_texts for kind in grievances_in(text)})
    if not answers and not kinds:
        raise Invalid(_("The answer set holds no answer to a survey question."))
    with transaction.atomic():
        if answers:
            _store(campaign, answers, channel, contact_uuid, day)
        alert = raise_alert(campaign, kinds) if kinds else None
    return Recorded(len(answers), alert)


def _store(campaign, answers, channel, contact_uuid, day):
    fields = {"factory_id": campaign.factory_id, "answered_on": day, "channel": channel}
    if contact_uuid:
        # get_or_create: two calls for the same contact at once store one answer set.
        response, _created = Response.objects.get_or_create(
            campaign=campaign, contact_hash=contact_hash(campaign, contact_uuid), defaults=fields
        )
    else:
        response = Response.objects.create(campaign=campaign, **fields)
    for key, value in answers.items():
        StoredAnswer.objects.update_or_create(response=response, question=key, defaults={"value": value})


@transaction.atomic
def answer_with_card(code: str, token: str | None, answers: dict[str, str], free_text: str) -> "Recorded":
    """A web answer set: the card is spent in the same transaction, so it counts once."""
    card = AnswerCard.objects.select_for_update().filter(campaign__code=code, token_digest=digest(token or "")).first()
    if card is None:
        raise NotAllowed(_("This answer card is not valid."))
    if card.used_at is not None:
        raise Conflict(_("This answer card has already been used. Thank you!"))
    campaign = Campaign.objects.select_related("factory").get(pk=card.campaign_id)
    recorded = record_answers(campaign, answers, [free_text], channel=Response.Channel.WEB)
    card.used_at = timezone.now()
    card.save(update_fields=["used_at"])
    return recorded


def raise_alert(campaign: Campaign, kinds: Iterable[str]) -> Alert:
    """An alert for the programme head (in the app and by email); never shown to the factory."""
    alert = Alert.objects.create(campaign=campaign, factory_id=campaign.factory_id, kinds=list(kinds))
    heads = policy.users_who_may("voice.alerts")
    AlertEmail.objects.bulk_create(
        AlertEmail(alert=alert, recipient=head) for head in heads.order_by("pk") if head.email
    )
    record(None, "voice.alert_raised", alert, factory=campaign.factory, kinds=list(kinds))
    enqueue_with_change(send_alert_emails, alert.pk)
    return alert


@transaction.atomic
def acknowledge_alert(actor: User, alert: Alert) -> Alert:
    policy.require(actor, "voice.alerts", message=_("Only the programme head handles worker voice alerts."))
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by = timezone.now(), actor
        alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
        record(actor, "voice.alert_acknowledged", alert, factory=alert.factory)
    return alert


# --- aggregates ---------------------------------------------------------------------------------------------


@dataclass
class QuestionResult:
    question: object  # ims.voice.questions.SurveyQuestion
    respondents: int
    problems: int
    shown: bool

    @property
    def problem_share(self) -> float | None:
        return self.problems / self.respondents if self.shown and self.respondents else None


def campaign_results(campaign: Campaign) -> list[QuestionResult]:
    """Per survey question: how many answered, and how many gave the problem answer; shown only from the minimum."""
    minimum = minimum_respondents()
    counts = {
        row["question"]: row
        for row in StoredAnswer.objects.filter(response__campaign=campaign)
        .values("question")
        .annotate(respondents=Count("pk"), yes=Count("pk", filter=Q(value="yes")))
    }
    results = []
    for question in QUESTIONS:
        row = counts.get(question.key, {"respondents": 0, "yes": 0})
        respondents = row["respondents"]
        problems = row["yes"] if question.problem == "yes" else respondents - row["yes"]
        shown = respondents >= minimum
        results.append(QuestionResult(question, respondents, problems if shown else 0, shown))
    return results


def respondents(campaign: Campaign) -> int:
    return campaign.responses.count()
