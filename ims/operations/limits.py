"""Bodies too large for what they are sent to, refused from their Content-Length before a byte is read.

Django checks DATA_UPLOAD_MAX_MEMORY_SIZE only when something reads request.body, and never the total of a
multipart upload: a raw-body endpoint (ODK XML, photo pieces) would first read a 50 MB body into memory, and
the public verification page would first write a 300 MB upload to disk. Here a multipart body may be as large
as the largest file IMS accepts plus its form fields; any other body as large as DATA_UPLOAD_MAX_MEMORY_SIZE.
The answer is a 413 in the caller's format. (Behind gunicorn a body without Content-Length is not read at all.)
"""

from django.conf import settings

from ims.operations.errors import early_error_response

# The form fields beside the file of a multipart upload, and the multipart framing.
MULTIPART_OVERHEAD = 1024 * 1024


def body_limit(request):
    if request.content_type == "multipart/form-data":
        return max(settings.IMS_MAX_UPLOAD_BYTES, settings.IMS_MAX_VERIFY_BYTES) + MULTIPART_OVERHEAD
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def declared_length(request):
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0  # as Django reads it: nothing


class RequestSizeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = body_limit(request)
        if declared_length(request) > limit:
            return early_error_response(request, "too_large", limit=limit)
        return self.get_response(request)
