"""The policy table as Markdown, for docs/policy.md (`manage.py policy_table > docs/policy.md`)."""

from ims.policy.rules import NOTHING
from ims.policy.table import RULES

HEADER = """# Who may see and do what

Generated from `ims/policy/table.py` by `manage.py policy_table`; a test fails when this page and the
table disagree. Every page, API endpoint, file download, menu entry, queryset scope and service asks
this table through `ims.policy`; the authorization tests are generated from it.

- A Django superuser also holds the head's and programme administrator's roles.
- A grant is in force when it is neither revoked nor past its expiry, checked on every request.
- An object outside what one may act on answers 404 (nobody learns it exists); an action refused on
  an object one may see answers 403, or 409 when only the object's state refuses it now.
- Assessment states: planned, in_progress, submitted, returned, approved, correcting. While an
  assessment is correcting, factories and buyers read its latest published revision, never the
  working copy.

| action | about | who | in which states | what it covers |
|---|---|---|---|---|
"""


def _states(allow):
    return "any" if allow.states is None else ", ".join(sorted(allow.states))


def markdown():
    lines = [HEADER.rstrip("\n")]
    for rule in RULES:
        about = "—" if rule.kind is NOTHING else rule.kind.name
        summary = " ".join([rule.summary, *rule.notes])
        for index, allow in enumerate(rule.allow):
            first = index == 0
            lines.append(
                f"| {f'`{rule.action}`' if first else ''} | {about if first else ''} | {allow.relation} "
                f"| {_states(allow)} | {summary if first else ''} |"
            )
    return "\n".join(lines) + "\n"
