"""Requests carrying text no database stores faithfully (a NUL, an unpaired surrogate) in their path, query
string, headers or URL-encoded form are answered 400 before any view runs (see ims.core.input_checks)."""

from django.utils import translation

from ims.core.input_checks import request_text, unstorable
from ims.operations.errors import error_response


class InputGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any(unstorable(text) for text in request_text(request)):
            with translation.override(translation.get_language_from_request(request, check_path=True)):
                return error_response(request, "unstorable_input")
        return self.get_response(request)
