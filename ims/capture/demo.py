"""Demo data for offline capture: the visit being captured is split between the two demo monitors."""

from ims.assessments.models import AssessmentMonitor, Status

FIRST_HALF = ["CL", "DI", "FL", "FA"]
SECOND_HALF = ["CO", "CT", "OS", "WT"]


def seed(stdout):
    team = AssessmentMonitor.objects.filter(
        assessment__status=Status.IN_PROGRESS, assessment__factory__ref="KH-0002", clusters=[]
    ).select_related("user", "assessment")
    split = {"monitor@ims.demo": FIRST_HALF, "monitor2@ims.demo": SECOND_HALF}
    for member in team:
        clusters = split.get(member.user.email)
        if clusters:
            member.clusters = clusters
            member.save(update_fields=["clusters"])
            stdout.write(f"  {member.assessment.ref}: {member.user.email} captures {', '.join(clusters)}")
