"""The assessments a user may take onto a tablet (the policy's "capture.take")."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from ims import policy
from ims.assessments.models import Assessment


def capture_assessments(user):
    """Assessments this user may download and capture: their team's, or any for the head."""
    return policy.scope(user, "capture.take", Assessment.objects)


def get_capture_assessment(user, ref):
    """The assessment by ref: 404 if the user cannot see it, 403 if visible but not theirs to capture."""
    visible = policy.scope(user, "assessment.read", Assessment.objects)
    assessment = get_object_or_404(visible.select_related("factory", "checklist_version"), ref=ref)
    policy.require(
        user, "capture.take", assessment, message=_("Only the monitors of this assessment can take it onto a tablet.")
    )
    return assessment
