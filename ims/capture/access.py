"""Who may take an assessment onto a tablet: the one place capture checks access."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from ims.accounts.models import Role
from ims.assessments.models import Assessment
from ims.core.errors import NotAllowed


def capture_assessments(user):
    """Assessments this user may download and capture: their team's, or any visible one for the head."""
    if not user.is_authenticated or not (user.is_superuser or user.is_programme_staff):
        return Assessment.objects.none()
    visible = Assessment.objects.visible_to(user)
    if user.is_superuser or user.has_role(Role.HEAD):
        return visible
    return visible.filter(team__user=user).distinct()


def get_capture_assessment(user, ref):
    """The assessment by ref: 404 if the user cannot see it, 403 if visible but not theirs to capture."""
    assessment = get_object_or_404(
        Assessment.objects.visible_to(user).select_related("factory", "checklist_version"), ref=ref
    )
    if not capture_assessments(user).filter(pk=assessment.pk).exists():
        raise NotAllowed(_("Only the monitors of this assessment can take it onto a tablet."))
    return assessment
