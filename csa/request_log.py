"""One JSON line per request, and a request id that follows the request through every log line.

The id is the caller's `X-Request-ID` when it looks like one (a load balancer's, say), else a new
one; it is answered in `X-Request-ID` too, so a customer's report can be found in the logs.
"""

import json
import logging
import re
import time
import uuid
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("csa.request")

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# Path segments that are credentials (signed download links) and must not reach a log.
_SECRET_KWARGS = ("token",)

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")


class RequestLogMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = _request_id(request)
        reset = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            logger.info(
                "request",
                extra={"http": _summary(request, response, time.perf_counter() - started)},
            )
            return response
        finally:
            request_id_var.reset(reset)


def _request_id(request: HttpRequest) -> str:
    given = request.headers.get(REQUEST_ID_HEADER, "")
    return given if _SANE_ID.fullmatch(given) else uuid.uuid4().hex


def _summary(request: HttpRequest, response: HttpResponse, seconds: float) -> dict:
    user = getattr(request, "user", None)
    return {
        "method": request.method,
        "path": _loggable_path(request),
        "status": response.status_code,
        "duration_ms": round(seconds * 1000, 1),
        "user_id": user.pk if user is not None and user.is_authenticated else None,
        "remote_addr": request.META.get("REMOTE_ADDR"),
    }


def _loggable_path(request: HttpRequest) -> str:
    path = request.path
    match = getattr(request, "resolver_match", None)
    for name in _SECRET_KWARGS:
        secret = match.kwargs.get(name) if match is not None else None
        if secret:
            path = path.replace(secret, "[redacted]")
    return path


class RequestIdFilter(logging.Filter):
    """Gives every record the id of the request being served (`-` outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """A log record as one JSON object on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if hasattr(record, "http"):
            entry.update(record.http)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
