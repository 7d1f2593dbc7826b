from django.shortcuts import get_object_or_404, render

from ims.checklists.models import ChecklistVersion
from ims.goodpractice.models import GoodPracticeSheet


def index(request):
    return render(request, "goodpractice/index.html", {"sheets": GoodPracticeSheet.objects.all()})


def detail(request, slug):
    sheet = get_object_or_404(GoodPracticeSheet, slug=slug)
    latest = ChecklistVersion.objects.first()
    questions = sheet.questions.filter(version=latest).select_related("compliance_point") if latest else []
    return render(request, "goodpractice/detail.html", {"sheet": sheet, "questions": questions, "version": latest})
