"""A local stand-in for the REDUCEAI vendor (rewriting/providers/reduceai.py): login, submit
and result.

It answers at once, so that a benchmark of POST /ai/reduce-task measures our side of the call;
or, given a delay, takes that long over each submit, as a slow vendor does.
Run: python -m bench.vendor PORT [SUBMIT_DELAY_SECONDS]
"""

import itertools
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN = "bench-vendor-token"  # noqa: S105 (the stand-in's own, not a secret)
_serial = itertools.count(1)
SUBMIT_DELAY_SECONDS = float(sys.argv[2]) if len(sys.argv) > 2 else 0.0


class ReduceAIHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real vendor's front end
    # Headers and body go out in two writes; with Nagle's algorithm the body would wait for
    # the client's delayed ACK (40 ms), which no real vendor's front end makes anyone wait.
    disable_nagle_algorithm = True

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path == "/auth/login":
            self._json(200, {"token": TOKEN})
        elif self.path != "/ai/reduce":
            self._json(404, {"message": "not found"})
        elif self.headers.get("Authorization") != f"Bearer {TOKEN}":
            self._json(401, {"message": "Unauthorized"})
        else:
            time.sleep(SUBMIT_DELAY_SECONDS)
            task_id = f"onlyjc_{next(_serial)}_{int(time.time() * 1000)}"
            self._json(200, {"taskId": task_id, "newBalance": 1000})

    def do_GET(self) -> None:
        self._json(200, {"status": "processing", "progress": 50, "queuePosition": 0, "cost": 5})

    def _json(self, status: int, body: dict) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format, *args) -> None:
        pass


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), ReduceAIHandler).serve_forever()
