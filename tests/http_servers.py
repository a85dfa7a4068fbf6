"""Real HTTP servers on 127.0.0.1 for tests, so upstream clients are exercised over a socket.

    class Vendor(UpstreamHandler):
        def do_POST(self):
            self.send_json(200, {"ok": True, "fields": self.read_fields()})

    @pytest.fixture
    def vendor_url():
        with http_server(Vendor) as base_url:
            yield base_url

A handler that needs per-test state (answers to give, requests received) is best built as a
subclass inside a fixture, closing over that state; see tests/contact/siteverify.py.
"""

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl


class UpstreamHandler(BaseHTTPRequestHandler):
    """A request handler with the reading and answering a fake vendor needs."""

    def read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length)

    def read_fields(self) -> dict:
        """The body's fields, sent as a form or as a JSON object ({} when neither)."""
        body = self.read_body()
        if self.headers.get_content_type() == "application/json":
            try:
                fields = json.loads(body or b"{}")
            except ValueError:
                return {}
            return fields if isinstance(fields, dict) else {}
        return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))

    def send_json(self, status: int, body: object) -> None:
        self.send_text(status, json.dumps(body), content_type="application/json")

    def send_text(self, status: int, text: str, *, content_type: str = "text/plain") -> None:
        payload = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", f"{content_type}; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args) -> None:
        pass  # keep test output clean


@contextmanager
def http_server(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve `handler` on a free local port in a background thread; yield the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    # A short poll keeps shutdown() from waiting out the default half second each test.
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextmanager
def silent_server() -> Iterator[str]:
    """A base URL whose server takes connections and never answers, as a hung vendor does.

    The kernel completes the handshake for a listening socket's backlog, so the client's connect
    succeeds and only its read times out; no thread is needed.
    """
    with closing(socket.create_server(("127.0.0.1", 0))) as listener:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


def closed_port_url() -> str:
    """A base URL with nothing listening, so connecting is refused."""
    with closing(socket.create_server(("127.0.0.1", 0))) as probe:
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"
