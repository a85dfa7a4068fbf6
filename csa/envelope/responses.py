import time

from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response


class EnvelopeResponse(Response):
    """A response of the rewriting API: its data and the one-line message that goes with it."""

    def __init__(
        self, data=None, *, message: str, status: int = 200, code: int = 0, headers=None
    ) -> None:
        super().__init__(data, status=status, headers=headers)
        self.message = message
        self.code = code


def envelope(*, status: int, message: str, data, code: int = 0) -> dict:
    """`code` is 0 on success and the HTTP status otherwise (or what a success that is not yet
    the result says, as 202 does); errors carry no data."""
    failed = status >= 400
    return {
        "code": status if failed else code,
        "message": message,
        "data": None if failed else data,
        "timestamp": int(time.time() * 1000),
    }


class EnvelopeRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        response = (renderer_context or {}).get("response")
        status = response.status_code if response is not None else 200
        message = getattr(response, "message", "") if response is not None else ""
        code = getattr(response, "code", 0) if response is not None else 0
        body = envelope(status=status, message=message, data=data, code=code)
        return super().render(body, accepted_media_type, renderer_context)
