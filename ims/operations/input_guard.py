"""Requests carrying text no database stores faithfully (a NUL, an unpaired surrogate) in their path, query
string, headers or URL-encoded form are answered 400 before any view runs (see ims.core.input_checks)."""

from ims.core.input_checks import request_text, unstorable
from ims.operations.errors import early_error_response


class InputGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any(unstorable(text) for text in request_text(request)):
            return early_error_response(request, "unstorable_input")
        return self.get_response(request)
