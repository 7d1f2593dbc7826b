from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render

from ims.checklists.models import ChecklistVersion, Cluster, CompliancePoint, Question
from ims.policy.guards import guard


@guard(GET="public.read")
def index(request):
    latest = ChecklistVersion.objects.first()
    if latest and ChecklistVersion.objects.count() == 1:
        return redirect("checklists:version", code=latest.code)
    versions = ChecklistVersion.objects.annotate(question_count=Count("questions"))
    return render(request, "checklists/index.html", {"versions": versions})


@guard(GET="public.read")
def version_detail(request, code):
    version = get_object_or_404(ChecklistVersion, code=code)
    public_only = request.GET.get("public") == "1"
    questions = (
        Question.objects.filter(version=version).select_related("applies_if").prefetch_related("good_practice_sheets")
    )
    if public_only:
        questions = questions.filter(publicly_reported=True)
    clusters = version.clusters.prefetch_related(
        Prefetch(
            "compliance_points",
            queryset=CompliancePoint.objects.prefetch_related(Prefetch("questions", queryset=questions)),
        )
    )
    totals = version.questions.aggregate(questions=Count("pk"), public=Count("pk", filter=Q(publicly_reported=True)))
    return render(
        request,
        "checklists/version.html",
        {
            "version": version,
            "clusters": clusters,
            "totals": totals,
            "point_count": CompliancePoint.objects.filter(cluster__version=version).count(),
            "cluster_count": Cluster.objects.filter(version=version).count(),
            "public_only": public_only,
        },
    )
