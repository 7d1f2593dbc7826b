"""The words the capture script shows, rendered into the page in its language (so they work offline)."""

from django.utils.translation import gettext as _

from ims.assessments.models import Answer


def app_strings():
    return {
        "online": _("Online"),
        "yes": _("Yes"),
        "no": _("No"),
        "answers": {value: str(label) for value, label in Answer.choices},
        "nonCompliantMark": _("non-compliant"),
        "nonCompliantIf": _("Non-compliant if: %(answer)s"),
        "publiclyReported": _("Publicly reported"),
        "conditionNotMet": _("Not applicable: condition not met"),
        "conditionNotMetAction": _("Condition not met: mark its %(count)s questions not applicable"),
        "conditionOverwrite": _(
            "%(count)s of these questions have another answer already. Mark them not applicable anyway?"
        ),
        "showUnanswered": _("Show only unanswered questions"),
        "showEvery": _("Show every question"),
        "photoNumberAlt": _("Photo %(number)s for %(code)s"),
        "offline": _("Offline: everything is kept on this tablet"),
        "pending": _("Waiting to be sent: %(count)s"),
        "lastSync": _("Last sync: %(time)s"),
        "never": _("never"),
        "syncing": _("Sending…"),
        "syncDone": _("Everything is on the server."),
        "syncFailed": _("Sync failed: %(message)s"),
        "noConnection": _("no connection to the server"),
        "signedOut": _("you are signed out; sign in again, then sync"),
        "serverIncomplete": _("the server has not confirmed every item yet; sync again"),
        "downloading": _("Downloading the assessment for offline use…"),
        "downloaded": _("Ready for offline use: downloaded %(time)s."),
        "downloadFailed": _("This assessment is not on this tablet yet, and the server cannot be reached."),
        "readOnly": _("Another monitor captures this cluster: read only."),
        "notEditable": _("Read only: the findings of this assessment cannot change now."),
        "answered": _("%(answered)s / %(total)s answered"),
        "savedLocally": _("Saved on this tablet"),
        "synced": _("Saved on the server"),
        "notAnswered": _("Not answered yet"),
        "conflict": _("Conflict: someone else changed this answer"),
        "error": _("Not accepted: %(message)s"),
        "needsAnswer": _("Answer the question before adding a photo."),
        "photoWaiting": _("Photo kept on this tablet, waiting to be sent"),
        "photoSent": _("Photo on the server"),
        "photoFailed": _("The photo could not be read."),
        "photoAlt": _("Photo for question %(code)s"),
        "theirAnswer": _("Stored answer (%(user)s)"),
        "yourAnswer": _("Your answer on this tablet"),
        "keepMine": _("Send mine again"),
        "takeTheirs": _("Keep the stored answer"),
        "conflicts": _("Conflicts to decide: %(count)s"),
        "previous": _("Last visit (%(ref)s)"),
        "guidance": _("Guidance and legal basis"),
        "legalBasis": _("Legal basis"),
        "appliesIf": _("Applies only if: %(condition)s"),
        "note": _("Note"),
        "noteLanguage": _("Language of the note"),
        "addPhoto": _("Add a photo"),
        "removeWarning": _(
            "%(count)s changes on this tablet are not on the server yet and would be lost. Remove this assessment "
            "from the tablet anyway?"
        ),
        "removed": _("The assessment was removed from this tablet."),
        "workforce": _("Workers: %(total)s, of whom women: %(women)s (as of %(date)s)"),
    }
