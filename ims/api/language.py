"""The API answers in the request's Accept-Language, as its error shape promises (ims.api.errors).

Django's LocaleMiddleware prefers the language cookie that the site's language switch sets: a browser whose
cookie says Khmer would get Khmer errors on an English capture screen. The API's pages are not under a language
prefix, so a client names its language per request, and that wins.
"""

from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

API_PATH = "/api/"


def stated_language(header):
    """The first language of an Accept-Language header that IMS speaks, or None."""
    for language, _quality in parse_accept_lang_header(header):
        if language == "*":
            return None
        try:
            return translation.get_supported_language_variant(language)
        except LookupError:
            continue
    return None


class AcceptLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = request.path.startswith(API_PATH) and stated_language(request.META.get("HTTP_ACCEPT_LANGUAGE", ""))
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
