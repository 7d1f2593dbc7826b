from django.conf import settings
from django.shortcuts import render
from django.views.i18n import set_language as django_set_language

from ims.checklists.models import ChecklistVersion
from ims.factories.models import Factory
from ims.goodpractice.models import GoodPracticeSheet
from ims.policy.guards import guard


@guard(GET="public.read")
def home(request):
    return render(
        request,
        "core/home.html",
        {
            "factory_count": Factory.objects.count(),
            "latest_checklist": ChecklistVersion.objects.first(),
            "sheet_count": GoodPracticeSheet.objects.count(),
        },
    )


@guard(POST="public.read")
def set_language(request):
    """Django's language switch, which also remembers the choice on a signed-in user's account."""
    response = django_set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        request.user.preferred_language = language
        request.user.save(update_fields=["preferred_language"])
    return response
