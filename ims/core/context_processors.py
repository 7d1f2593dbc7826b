from ims.core.i18n import LANGUAGE_CODES, NATIVE_NAMES
from ims.core.menu import menu_for


def languages(request):
    return {"interface_languages": [(code, NATIVE_NAMES[code]) for code in LANGUAGE_CODES]}


def navigation(request):
    """The menu entries the policy lets this user open."""
    return {"menu": menu_for(request.user)}
