"""Errors the domain services raise; views and the API turn them into clear answers.

Each carries an HTTP status so the web pages and the REST API answer the same way:
a refused transition is 409 in both, a missing right is 403, bad data is 400.
"""


def error_body(code: str, message: object, details: dict | None = None) -> dict:
    """The one shape of every JSON error IMS answers (API, capture pages, outages): code, message, details."""
    return {"error": code, "message": str(message), "details": details or {}}


class DomainError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, message, **details):
        super().__init__(message)
        self.message = message
        self.details = details


class NotAllowed(DomainError):
    status = 403
    code = "not_allowed"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Invalid(DomainError):
    status = 400
    code = "invalid"


class StorageFailed(DomainError):
    """The file storage refused a write (a full disk, an unreachable bucket); nothing was saved."""

    status = 507
    code = "storage_failed"
