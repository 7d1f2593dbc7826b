"""Language helpers shared by every app."""

from functools import cache
from urllib.parse import urlsplit

from babel import Locale
from django.conf import settings
from django.urls import translate_url
from django.utils import translation
from django.utils.translation import get_language, to_locale

LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)
SOURCE_LANGUAGE = settings.LANGUAGE_CODE
TARGET_LANGUAGES = tuple(code for code in LANGUAGE_CODES if code != SOURCE_LANGUAGE)


@cache
def babel_locale(language_code):
    return Locale.parse(to_locale(language_code or SOURCE_LANGUAGE))


def field_suffix(language_code):
    """modeltranslation's column suffix for a language: zh-hans -> zh_hans."""
    return language_code.replace("-", "_")


def active_language():
    language = get_language() or SOURCE_LANGUAGE
    return language if language in LANGUAGE_CODES else SOURCE_LANGUAGE


# Each language named in its own script for the switcher (Django's table names Khmer in Latin).
NATIVE_NAMES = {"en": "English", "km": "ខ្មែរ", "zh-hans": "简体中文"}


def remember_language(response, language):
    """Set the language cookie with the attributes Django's own language switch gives it."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


def same_page_in(url, language):
    """The same page in another language, whatever language is active now.

    Django's translate_url resolves the address in the active language, so a page whose prefix names another
    language (the switch posted from /km/... by an English browser) did not resolve and stayed as it was.
    """
    own_language = translation.get_language_from_path(urlsplit(url).path) or active_language()
    with translation.override(own_language):
        return translate_url(url, language)
