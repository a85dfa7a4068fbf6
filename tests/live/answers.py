"""Reading answers of a live server (requests' responses) in each API's shape."""

import requests

ENVELOPE_KEYS = {"code", "message", "data", "timestamp"}


def _json(response: requests.Response) -> object:
    content_type = response.headers.get("Content-Type", "")
    assert content_type.startswith("application/json"), (
        f"HTTP {response.status_code} {content_type}: {response.text[:500]}"
    )
    return response.json()


def portal_body(response: requests.Response, status: int) -> dict:
    """The portal's answer, checked to be `status` and JSON."""
    assert response.status_code == status, f"HTTP {response.status_code}: {response.text[:500]}"
    return _json(response)


def portal_error(response: requests.Response, status: int) -> str:
    """The portal's `{"detail": ...}` error; its message."""
    body = portal_body(response, status)
    assert set(body) == {"detail"}, body
    return body["detail"]


def envelope(response: requests.Response, status: int) -> dict:
    """The rewriting API's `{"code", "message", "data", "timestamp"}`, checked whole."""
    assert response.status_code == status, f"HTTP {response.status_code}: {response.text[:500]}"
    body = _json(response)
    assert set(body) == ENVELOPE_KEYS, body
    assert body["code"] == (0 if status < 400 else status), body
    assert type(body["timestamp"]) is int, body
    if status >= 400:
        assert body["data"] is None, body
    return body


def envelope_data(response: requests.Response) -> object:
    """A successful envelope's `data`."""
    return envelope(response, 200)["data"]


def envelope_error(response: requests.Response, status: int) -> str:
    """An envelope error's message."""
    return envelope(response, status)["message"]
