"""The worker survey: short yes/no questions, each tied to the checklist questions it gives a signal on.

Workers answer in Khmer first (the survey page opens in Khmer; English and Chinese are a tap away).
A RapidPro flow names its results after the keys below, so `overtime_paid` in a flow's results is
the answer to "Were you paid for all the overtime you worked last month?".
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

YES, NO = "yes", "no"
ANSWERS = (YES, NO)
# Result categories a flow may use for yes and no, in the three languages (compared in lower case).
CATEGORY_WORDS = {
    YES: ("yes", "y", "1", "បាទ", "ចាស", "បាទ/ចាស", "មែន", "是", "是的", "有"),
    NO: ("no", "n", "2", "ទេ", "អត់", "否", "不是", "没有"),
}


@dataclass(frozen=True)
class SurveyQuestion:
    key: str
    text: str | Promise  # translated when shown
    checklist_codes: tuple  # the checklist questions a "problem" answer points to
    problem: str  # the answer that signals a problem


QUESTIONS = (
    SurveyQuestion("overtime_paid", _("Were you paid for all the overtime you worked last month?"),
                   ("CO.2.1", "CO.2.3"), NO),
    SurveyQuestion("overtime_voluntary", _("Can you refuse overtime without being punished?"),
                   ("WT.2.1", "WT.2.2"), NO),
    SurveyQuestion("exits_open", _("Are the emergency exits open whenever you are at work?"), ("OS.8.7",), NO),
    SurveyQuestion("too_hot", _("Is it often too hot to work comfortably where you work?"), ("OS.4.1", "OS.4.2"),
                   YES),
    SurveyQuestion("harassment", _("In the last month, have you seen or suffered sexual harassment at work?"),
                   ("DI.1.4", "DI.1.10"), YES),
)  # fmt: skip
BY_KEY = {question.key: question for question in QUESTIONS}
# The one result a flow may collect as free text: it is checked for grievance words and never stored.
COMMENT_KEY = "comment"


def answer_from_category(text):
    """yes, no, or None for anything else (a free-text reply, "other", "don't know")."""
    word = (text or "").strip().lower()
    for answer, words in CATEGORY_WORDS.items():
        if word in words:
            return answer
    return None
