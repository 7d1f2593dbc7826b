"""Words in a worker's free text that signal a grievance the programme head must hear about at once.

Free text is never stored: it is read for these words and dropped. The lists are short and literal on
purpose (a false alarm costs the head a look; a missed locked exit costs more); Khmer and Chinese are
matched as substrings, since neither writes spaces between words.
"""

from django.utils.translation import gettext_lazy as _

HARASSMENT, LOCKED_EXITS, CHILD_WORKERS = "harassment", "locked_exits", "child_workers"
LABELS = {
    HARASSMENT: _("Harassment"),
    LOCKED_EXITS: _("Locked or blocked exits"),
    CHILD_WORKERS: _("Child workers"),
}
KEYWORDS = {
    HARASSMENT: ("harass", "sexual", "touched me", "abuse", "beaten", "បៀតបៀន", "រំលោភ", "វាយ", "骚扰", "性骚扰",
                 "猥亵", "殴打"),
    LOCKED_EXITS: ("locked", "lock the door", "exit blocked", "blocked exit", "padlock", "ចាក់សោ", "ទ្វារបិទ",
                   "ច្រកចេញបិទ", "锁门", "上锁", "出口堵", "锁住"),
    CHILD_WORKERS: ("child", "underage", "under age", "too young", "កុមារ", "ក្មេង", "អនីតិជន", "童工", "儿童",
                    "未成年"),
}  # fmt: skip


def grievances_in(text):
    """The grievance kinds the text mentions, in a fixed order."""
    folded = (text or "").casefold()
    if not folded.strip():
        return []
    return [kind for kind, words in KEYWORDS.items() if any(word.casefold() in folded for word in words)]
