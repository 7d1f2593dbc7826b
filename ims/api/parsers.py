"""The API's JSON parser: DRF's, but through ims.core.input_checks (no NUL or unpaired surrogate in any
string, no infinite numbers, bounded nesting), so every JSON endpoint refuses such a body with a 400 in the
one error shape before a serializer sees it."""

from rest_framework.parsers import JSONParser

from ims.core.input_checks import load_json


class CheckedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        return load_json(stream.read())
