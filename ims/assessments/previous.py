"""The factory's previous published visit, which the monitors capturing a new one compare with."""

from ims.assessments.models import PUBLISHED_STATUSES, Assessment
from ims.assessments.snapshot import of_revision


def previous_visit(assessment: Assessment) -> Assessment | None:
    """The factory's latest published assessment before this one, or None."""
    return (
        Assessment.objects.filter(
            factory=assessment.factory, status__in=PUBLISHED_STATUSES, visit_start__lt=assessment.visit_start
        )
        .order_by("-visit_start", "-pk")
        .first()
    )


def previous_findings(assessment: Assessment) -> dict | None:
    """The published answers of the previous visit (its current revision), matched to questions by code."""
    previous = previous_visit(assessment)
    revision = previous.current_revision() if previous else None
    if previous is None or revision is None:
        return None
    return {
        "ref": previous.ref,
        "visit_end": previous.visit_end.isoformat(),
        "revision": revision.number,
        "findings": {
            row["question"]: {"answer": row["answer"], "note": row["note"], "note_language": row["note_language"]}
            for row in of_revision(revision)["findings"]
        },
    }
