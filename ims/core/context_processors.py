from ims.core.i18n import LANGUAGE_CODES, NATIVE_NAMES


def languages(request):
    return {"interface_languages": [(code, NATIVE_NAMES[code]) for code in LANGUAGE_CODES]}
