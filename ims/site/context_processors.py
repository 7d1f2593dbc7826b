from django.urls import translate_url

from ims.core.i18n import LANGUAGE_CODES, NATIVE_NAMES
from ims.site.menu import menu_for


def languages(request):
    """Each language named in its own script; for visitors who are not signed in, the same page in it.

    Those visitors switch with plain links, so public pages carry no CSRF token and no cookie: every visitor
    gets the same bytes, which browsers and shared caches may keep and revalidate (ims.core.caching).
    """

    def links():
        return [(code, NATIVE_NAMES[code], translate_url(request.get_full_path(), code)) for code in LANGUAGE_CODES]

    return {"interface_languages": [(code, NATIVE_NAMES[code]) for code in LANGUAGE_CODES], "language_links": links}


def navigation(request):
    """The menu entries the policy lets this user open."""
    return {"menu": menu_for(request.user)}
