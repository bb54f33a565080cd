"""Problem details (RFC 9457): every error response is ``application/problem+json`` saying what to do.

``Problem`` is the exception routes raise; ``problem_for`` maps the errors the
Python API raises (``ObjectNotFound``, ``ValueError`` ...) to statuses in one place.
"""
from __future__ import annotations

import logging
from typing import Any

PROBLEM_TYPE = "application/problem+json"
log = logging.getLogger("omegaml_server")

TITLES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
          406: "Not Acceptable", 409: "Conflict", 413: "Content Too Large", 415: "Unsupported Media Type",
          500: "Internal Server Error", 503: "Service Unavailable"}


class Problem(Exception):
    """An error response: ``raise Problem(404, 'Not Found', 'dataset sales does not exist; ...')``."""

    def __init__(self, status: int, title: str | None = None, detail: str = "",
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title or TITLES.get(status, "Error")
        self.detail = detail
        self.headers = headers or {}

    def body(self, instance: str | None = None) -> dict[str, Any]:
        body = {"type": "about:blank", "title": self.title, "status": self.status, "detail": self.detail}
        if instance:
            body["instance"] = instance
        return body


def problem_for(exc: BaseException) -> Problem:
    """The Problem for an error the Python API raised (unknown errors are a 500 that reveals nothing)."""
    from omegaml_core.errors import ConcurrentWriteError, ObjectNotFound, PromotionRefused, UnknownKindError

    if isinstance(exc, Problem):
        return exc
    message = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
    if isinstance(exc, ObjectNotFound):
        return Problem(404, detail=message)
    if isinstance(exc, (ConcurrentWriteError, PromotionRefused)):
        return Problem(409, detail=message)
    if isinstance(exc, UnknownKindError):
        return Problem(400, detail=message)
    if isinstance(exc, PermissionError):
        return Problem(403, detail=message)
    # a KeyError that is not ObjectNotFound names a missing column or key of the input: the request is wrong
    if isinstance(exc, (ValueError, TypeError, AttributeError, IndexError, NotImplementedError, LookupError,
                        ArithmeticError)):
        return Problem(400, detail=message or f"{type(exc).__name__}; check the input")
    if type(exc).__name__ == "RemoteError" or any(b.__name__ == "RemoteError" for b in type(exc).__mro__):
        return Problem(400, detail=message)
    log.exception("unexpected error", exc_info=exc)
    return Problem(500, detail="the server failed unexpectedly; the error is in its log (search for the request id)")
