from urllib.parse import urlsplit

from django.conf import settings
from django.shortcuts import render
from django.utils import translation
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
    """Django's language switch, which also remembers the choice on a signed-in user's account.

    Django finds the page to go back to by resolving `next` in the active language, which here is the
    browser's or the cookie's (this URL has no language prefix): a page in another language did not
    resolve and the switch stayed put. It is resolved in the language of its own prefix instead.
    """
    back_to = urlsplit(request.POST.get("next") or request.META.get("HTTP_REFERER", "")).path
    with translation.override(translation.get_language_from_path(back_to) or translation.get_language()):
        response = django_set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        request.user.preferred_language = language
        request.user.save(update_fields=["preferred_language"])
    return response
