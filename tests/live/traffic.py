"""A client that keeps sending requests to a live server from a thread, and remembers how each
one ended, for tests that break something underneath the server meanwhile."""

import threading
import time
from dataclasses import dataclass, field

import requests

from tests.live.processes import AppServer, wait_for


@dataclass
class Outcome:
    path: str
    started: float
    finished: float
    status: int | None = None
    content_type: str = ""
    body: object = None
    error: str | None = None


@dataclass
class Traffic:
    """A client that keeps sending authenticated requests, one after another, until stopped."""

    server: AppServer
    token: str
    paths: tuple[str, ...] = ("/api/auth/me", "/points/balance")
    outcomes: list[Outcome] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "Traffic":
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            path = self.paths[len(self.outcomes) % len(self.paths)]
            self.outcomes.append(self._send(path))

    def _send(self, path: str) -> Outcome:
        outcome = Outcome(path=path, started=time.monotonic(), finished=0)
        try:
            # Far longer than any answer takes: running into it means the app hung.
            response = self.server.get(path, token=self.token, timeout=20)
        except requests.RequestException as error:
            outcome.error = f"{type(error).__name__}: {error}"
        else:
            outcome.status = response.status_code
            outcome.content_type = response.headers.get("Content-Type", "")
            try:
                outcome.body = response.json()
            except ValueError:
                outcome.body = response.text[:300]
        outcome.finished = time.monotonic()
        return outcome

    def wait_for_successes(self, count: int, *, started_after: float = 0) -> None:
        try:
            wait_for(
                lambda: self._successes(started_after) >= count,
                what=f"{count} successful requests",
            )
        except TimeoutError as error:
            raise TimeoutError(f"{error}; the last: {self.outcomes[-3:]}") from None

    def _successes(self, started_after: float) -> int:
        return sum(o.status == 200 and o.started > started_after for o in list(self.outcomes))
