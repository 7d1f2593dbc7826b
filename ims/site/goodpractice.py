from django.shortcuts import get_object_or_404, render

from ims.checklists.models import ChecklistVersion
from ims.goodpractice.models import GoodPracticeSheet
from ims.policy.guards import guard


@guard(GET="public.read")
def index(request):
    return render(request, "goodpractice/index.html", {"sheets": GoodPracticeSheet.objects.all()})


@guard(GET="public.read")
def detail(request, slug):
    sheet = get_object_or_404(GoodPracticeSheet, slug=slug)
    latest = ChecklistVersion.objects.first()
    questions = sheet.questions.filter(version=latest).select_related("compliance_point") if latest else []
    return render(request, "goodpractice/detail.html", {"sheet": sheet, "questions": questions, "version": latest})
