"""A fake Cloudflare siteverify that speaks its protocol, served by tests/http_servers.py."""

import threading
from http.server import BaseHTTPRequestHandler

from tests.http_servers import UpstreamHandler

SITEVERIFY_PATH = "/turnstile/v0/siteverify"
# Cloudflare's documented test secrets.
PASSING_SECRET = "1x0000000000000000000000000000000AA"
FAILING_SECRET = "2x0000000000000000000000000000000AA"
SPENT_SECRET = "3x0000000000000000000000000000000AA"


def refusal(*error_codes: str) -> dict:
    return {"success": False, "error-codes": list(error_codes)}


class FakeSiteverify:
    """Answers like Cloudflare, and remembers each request's fields for the test to inspect.

    Unlike Cloudflare's always-passing test secret, the passing secret here spends each token,
    so a replay is refused with `timeout-or-duplicate` as it would be in production.
    """

    def __init__(self) -> None:
        self.received: list[dict] = []
        self._spent: set[str] = set()
        self._lock = threading.Lock()

    def answer(self, fields: dict) -> dict:
        with self._lock:
            self.received.append(fields)
            return self._verdict(fields.get("secret"), fields.get("response"))

    def _verdict(self, secret: str | None, token: str | None) -> dict:
        if not secret:
            return refusal("missing-input-secret")
        if secret not in (PASSING_SECRET, FAILING_SECRET, SPENT_SECRET):
            return refusal("invalid-input-secret")
        if not token:
            return refusal("missing-input-response")
        if secret == FAILING_SECRET:
            return refusal("invalid-input-response")
        if secret == SPENT_SECRET or token in self._spent:
            return refusal("timeout-or-duplicate")
        self._spent.add(token)
        return {
            "success": True,
            "error-codes": [],
            "challenge_ts": "2025-01-01T10:00:00.000Z",
            "hostname": "example.com",
            "action": "",
            "cdata": "",
        }

    def handler(self) -> type[BaseHTTPRequestHandler]:
        siteverify = self

        class SiteverifyHandler(UpstreamHandler):
            def do_POST(self) -> None:
                if self.path != SITEVERIFY_PATH:
                    self.send_json(404, {"error": "not found"})
                    return
                self.send_json(200, siteverify.answer(self.read_fields()))

        return SiteverifyHandler
