from django.urls import translate_url

from ims.core.i18n import LANGUAGE_CODES, NATIVE_NAMES


def languages(request):
    """Each language named in its own script; for visitors who are not signed in, the same page in it.

    Those visitors switch with plain links, so public pages carry no CSRF token and no cookie: every visitor
    gets the same bytes, which browsers and shared caches may keep and revalidate (ims.core.caching).
    """

    def links():
        return [(code, NATIVE_NAMES[code], translate_url(request.get_full_path(), code)) for code in LANGUAGE_CODES]

    return {"interface_languages": [(code, NATIVE_NAMES[code]) for code in LANGUAGE_CODES], "language_links": links}


def navigation(request):
    """Which parts of the menu the signed-in user's roles open."""
    from ims.accounts.models import Role

    user = request.user
    if not user.is_authenticated:
        return {}
    return {
        "nav_programme": user.is_superuser or user.is_programme_staff,
        "nav_reports": user.is_superuser or user.has_role(*(set(Role) - {Role.PARTNER_ANALYST})),
        "nav_factory": user.has_role(Role.FACTORY_MANAGER),
        "nav_audit": user.is_superuser or user.has_role(Role.HEAD, Role.PROGRAMME_ADMIN),
        "nav_dashboards": user.is_superuser or bool(user.roles),
    }
