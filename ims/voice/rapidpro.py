"""RapidPro's (and TextIt's) flow webhook: the payload a "Call webhook" action POSTs by default.

    {"contact": {"uuid": ..., "name": ..., "urn": "tel:+855..."},
     "flow": {"uuid": ..., "name": ...}, "path": [...],
     "results": {"overtime_paid": {"value": "No", "category": "No", "input": "no", ...}, ...},
     "run": {"uuid": ..., "created_on": ...}, "input": {"text": ..., "urn": {...}, ...}}

Only the contact's UUID is read (to count a worker once, through a salted hash); its name and URN,
the run's path and the input are never read into anything that is stored. A result named after a
survey question is an answer when its category is a yes or a no; anything else it holds, the
`comment` result and the last input's text are free text: read for grievance words, then dropped.
"""

import uuid
from dataclasses import dataclass

from django.utils.translation import gettext as _

from ims.core.errors import Invalid, NotAllowed
from ims.voice.questions import BY_KEY, COMMENT_KEY, answer_from_category


@dataclass
class FlowAnswers:
    contact_uuid: str
    answers: dict
    free_texts: list


def _text(value):
    return value if isinstance(value, str) else ""


def parse(payload, campaign):
    if not isinstance(payload, dict):
        raise Invalid(_("The webhook body must be a JSON object."))
    contact = payload.get("contact")
    try:
        contact_uuid = str(uuid.UUID(str(contact.get("uuid")))) if isinstance(contact, dict) else None
    except ValueError:
        contact_uuid = None
    if contact_uuid is None:
        raise Invalid(_("The payload names no contact UUID."))
    flow = payload.get("flow") if isinstance(payload.get("flow"), dict) else {}
    if campaign.rapidpro_flow and str(flow.get("uuid", "")) != str(campaign.rapidpro_flow):
        raise NotAllowed(_("This flow does not belong to the campaign."))
    results = payload.get("results")
    if not isinstance(results, dict):
        raise Invalid(_("The payload holds no results."))
    answers, free_texts = {}, []
    for key, result in results.items():
        if not isinstance(result, dict):
            continue
        key = str(key).strip().lower()
        if key in BY_KEY:
            answer = answer_from_category(_text(result.get("category"))) or answer_from_category(
                _text(result.get("value"))
            )
            if answer:
                answers[key] = answer
                continue
        if key in BY_KEY or key == COMMENT_KEY:
            free_texts += [_text(result.get("value")), _text(result.get("input"))]
    last_input = payload.get("input")
    if isinstance(last_input, dict):
        free_texts.append(_text(last_input.get("text")))
    return FlowAnswers(contact_uuid, answers, [text for text in free_texts if text])
