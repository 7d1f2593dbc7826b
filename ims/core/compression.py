"""Compression both ways.

Responses: Django's GZipMiddleware (which pads each response by a random length, against BREACH), minus
files that are compressed already (photos, PDFs, spreadsheets): gzip would spend time and save nothing.

Requests: bodies sent with `Content-Encoding: gzip`, as the capture app sends its sync requests. Before
anything reads one, the body is replaced by its decompressed bytes. The compressed body is held to
DATA_UPLOAD_MAX_MEMORY_SIZE like any other, and so is what it unpacks to (a small body that unpacks to
gigabytes is refused at the limit, never unpacked whole).
"""

import io
import zlib

from django.conf import settings
from django.http import JsonResponse
from django.middleware.gzip import GZipMiddleware
from django.utils.translation import gettext as _

GZIP = 31  # zlib's wbits for a gzip header and trailer
COMPRESSED_TYPES = ("image/", "video/", "application/pdf", "application/zip", "application/vnd.openxmlformats")


class ResponseCompressionMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        if response.get("Content-Type", "").startswith(COMPRESSED_TYPES):
            return response
        return super().process_response(request, response)


def _error(status, code, message):
    return JsonResponse({"error": code, "message": message, "details": {}}, status=status)


class RequestDecompressionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        encoding = request.META.get("HTTP_CONTENT_ENCODING", "").strip().lower()
        if encoding in ("", "identity"):
            return self.get_response(request)
        if encoding != "gzip":
            return _error(415, "unsupported_encoding", _("Send the body as it is or compressed with gzip."))
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        decompressor = zlib.decompressobj(GZIP)
        try:
            body = decompressor.decompress(request.body, limit + 1)
        except zlib.error:
            return _error(400, "invalid", _("The body is not valid gzip."))
        if len(body) > limit or decompressor.unconsumed_tail:
            return _error(413, "too_large", _("The body is larger than %(limit)d MB once unpacked.")
                          % {"limit": limit // (1024 * 1024)})  # fmt: skip
        if not decompressor.eof:
            return _error(400, "invalid", _("The body is not valid gzip."))
        # What request.body, request.read() and the API's parsers see from here on.
        request._body = body
        request._stream = io.BytesIO(body)
        request.META["CONTENT_LENGTH"] = str(len(body))
        del request.META["HTTP_CONTENT_ENCODING"]
        return self.get_response(request)
