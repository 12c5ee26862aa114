"""The one error type of the server, in Google's JSON error shape.

Every failure the server answers (bad request, missing key, full queue, timeout) is an
`ApiError`; `body()` gives `{"error": {"code", "message", "status"[, "details"]}}`, the shape
Perspective (and every Google JSON API) uses. Messages never quote comment text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Google's canonical status name for each HTTP code the server uses.
STATUS_FOR_CODE: dict[int, str] = {
    400: "INVALID_ARGUMENT",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",  # not a Google status name: Google answers a wrong method with 404
    408: "DEADLINE_EXCEEDED",
    413: "INVALID_ARGUMENT",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}

# The `@type` of Perspective's error details; `errorType` values are from its error list.
DETAIL_TYPE = "type.googleapis.com/google.commentanalyzer.v1alpha1.Error"


@dataclass(slots=True)
class ApiError(Exception):
    """An HTTP error answer. `error_type` adds Perspective's `details[0].errorType`."""

    code: int
    message: str
    error_type: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # more detail fields (e.g. the attribute)
    retry_after_s: int | None = None  # sent as Retry-After (429, 503)

    def __post_init__(self) -> None:
        Exception.__init__(self, self.message)

    @property
    def status(self) -> str:
        return STATUS_FOR_CODE.get(self.code, "UNKNOWN")

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message, "status": self.status}
        if self.error_type is not None:
            error["details"] = [{"@type": DETAIL_TYPE, "errorType": self.error_type, **self.extra}]
        return {"error": error}

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after_s)} if self.retry_after_s is not None else {}


def bad_request(message: str, error_type: str | None = "INVALID_REQUEST", **extra: Any) -> ApiError:
    return ApiError(400, message, error_type, dict(extra))
