from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from ims import policy
from ims.checklists import importing
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
    questions = Question.objects.filter(version=version).select_related("applies_if")
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
            "may_import": policy.allows(request.user, "checklists.import"),
        },
    )


@guard(GET="public.read")
def question_detail(request, code, question):
    """One question with what the version page leaves out: the guidance, the legal basis, the suggestion and
    the good practice sheets (the version page would weigh a megabyte in Khmer with them)."""
    question = get_object_or_404(
        Question.objects.select_related("version", "compliance_point__cluster", "applies_if").prefetch_related(
            "good_practice_sheets"
        ),
        version__code=code,
        code=question,
    )
    return render(request, "checklists/question.html", {"question": question, "version": question.version})


@guard(GET="checklists.import", POST="checklists.import")
def import_version(request):
    """Upload a version's JSON document or XLSForm workbook, read what it changes against the newest version,
    then save it."""
    context = {}
    if request.method == "POST" and "confirm" in request.POST:
        try:
            version = importing.confirm(request.POST["confirm"])
        except LookupError:
            context["problems"] = [_("That upload is no longer waiting: upload the file again.")]
        except importing.Refused as refused:
            context["problems"] = refused.problems
        else:
            messages.success(request, _("Checklist version %(code)s is saved.") % {"code": version.code})
            return redirect("checklists:version", code=version.code)
    elif request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["problems"] = [_("Choose a JSON or XLSForm (.xlsx) file to upload.")]
        else:
            try:
                digest, checklist, previous, changes = importing.check_upload(upload.read())
            except importing.Refused as refused:
                context["problems"] = refused.problems
            else:
                if changes:  # the fields named as the checklist's pages name them, in the reader's language
                    changes.changed = {
                        code: [Question._meta.get_field(name).verbose_name for name in names]
                        for code, names in changes.changed.items()
                    }
                questions = list(checklist.questions())
                context.update(digest=digest, checklist=checklist, previous=previous, changes=changes,
                               question_count=len(questions), title=checklist.title.get("en", ""))  # fmt: skip
    return render(request, "checklists/import.html", context)
