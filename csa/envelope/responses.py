import time

from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response


class EnvelopeResponse(Response):
    """A response of the rewriting API: its data and the one-line message that goes with it."""

    def __init__(self, data=None, *, message: str, status: int = 200, headers=None) -> None:
        super().__init__(data, status=status, headers=headers)
        self.message = message


def envelope(*, status: int, message: str, data) -> dict:
    """`code` is 0 on success and the HTTP status otherwise; errors carry no data."""
    failed = status >= 400
    return {
        "code": status if failed else 0,
        "message": message,
        "data": None if failed else data,
        "timestamp": int(time.time() * 1000),
    }


class EnvelopeRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        response = (renderer_context or {}).get("response")
        status = response.status_code if response is not None else 200
        message = getattr(response, "message", "") if response is not None else ""
        body = envelope(status=status, message=message, data=data)
        return super().render(body, accepted_media_type, renderer_context)
