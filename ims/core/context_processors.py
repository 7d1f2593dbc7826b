from ims.core.i18n import LANGUAGE_CODES, NATIVE_NAMES


def languages(request):
    return {"interface_languages": [(code, NATIVE_NAMES[code]) for code in LANGUAGE_CODES]}


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
