"""Real processes for the live tests: gunicorn app servers under production settings, a private
redis-server, a private PostgreSQL cluster.

Each process writes its output to a log file, and `STARTED` keeps every process of the session
with when it ended, so a failing test can show the logs of those it met (see conftest.py). Every
process runs in a session of its own, so stopping it takes its children (gunicorn's workers) along.
The commands are built here from fixed names and free ports: nothing untrusted reaches them.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import closing, suppress
from pathlib import Path
from typing import Protocol

import redis
import requests

PROJECT_ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
STARTUP_SECONDS = 30
REQUEST_TIMEOUT_SECONDS = 30
LOG_TAIL_CHARS = 12_000


class Logged(Protocol):
    name: str
    closed_at: float | None  # time.monotonic() when it was shut down for good

    def log_tail(self) -> str: ...


STARTED: list[Logged] = []


def running_since(moment: float) -> list[Logged]:
    """The processes that were running at `moment` or started after it."""
    return [
        process for process in STARTED if process.closed_at is None or process.closed_at >= moment
    ]


def free_port() -> int:
    """A port nothing listens on right now (gunicorn cannot bind port 0 and say which it got)."""
    with closing(socket.create_server(("127.0.0.1", 0))) as probe:
        return probe.getsockname()[1]


def wait_for(
    condition: Callable[[], bool], *, what: str, seconds: float = STARTUP_SECONDS, process=None
) -> None:
    """Poll `condition` until it holds; fail after `seconds`, or at once if `process` died."""
    deadline = time.monotonic() + seconds
    while not condition():
        if process is not None and process.exited:
            raise RuntimeError(
                f"{process.name} exited while waiting for {what}:\n{process.log_tail()}"
            )
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {what} within {seconds} s")
        time.sleep(0.05)


def read_tail(path: Path) -> str:
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return "(no log)"
    return text if len(text) <= LOG_TAIL_CHARS else "…" + text[-LOG_TAIL_CHARS:]


class LoggedProcess:
    """A child process in a session of its own, its stdout and stderr in one log file."""

    def __init__(self, name: str, command: list[str], *, log_path: Path, **popen) -> None:
        self.name = name
        self.log_path = log_path
        self._log = open(log_path, "wb")  # noqa: SIM115 (closed in close())
        try:
            self.popen = subprocess.Popen(  # noqa: S603
                command, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True, **popen
            )
        except BaseException:
            self._log.close()
            raise
        self.closed_at: float | None = None
        STARTED.append(self)

    @property
    def exited(self) -> bool:
        return self.popen.poll() is not None

    def stop(self, timeout: float = 10) -> None:
        """SIGTERM and wait; SIGKILL for the whole process group if it lingers."""
        if not self.exited:
            self.popen.terminate()
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait()

    def kill(self) -> None:
        """SIGKILL the whole process group at once, as a crash or an OOM kill would."""
        with suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait()

    def close(self) -> None:
        self.stop()
        self._log.close()
        self.closed_at = time.monotonic()

    def log_tail(self) -> str:
        return read_tail(self.log_path)


class AppServer(LoggedProcess):
    """`gunicorn csa.wsgi` with one worker of four threads on a free port of 127.0.0.1."""

    def __init__(self, name: str, *, env: dict[str, str], log_path: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [
            str(VENV_BIN / "gunicorn"),
            "csa.wsgi",
            f"--bind=127.0.0.1:{self.port}",
            "--workers=1",
            "--worker-class=gthread",  # as make serve runs it
            "--threads=4",
            "--timeout=60",
            "--graceful-timeout=5",
            "--error-logfile=-",
        ]
        super().__init__(name, command, log_path=log_path, env=env, cwd=PROJECT_ROOT)

    def wait_ready(self) -> None:
        wait_for(self._healthy, what=f"{self.name} answering /api/health", process=self)

    def _healthy(self) -> bool:
        try:
            return requests.get(f"{self.url}/api/health", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        body: object = None,
        headers: dict[str, str] | None = None,
        timeout: float = REQUEST_TIMEOUT_SECONDS,
    ) -> requests.Response:
        sent = {"Accept": "application/json", **(headers or {})}
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        return requests.request(
            method, f"{self.url}{path}", json=body, headers=sent, timeout=timeout
        )

    def get(self, path: str, **options) -> requests.Response:
        return self.request("GET", path, **options)

    def post(self, path: str, body: object = None, **options) -> requests.Response:
        return self.request("POST", path, body=body if body is not None else {}, **options)


class Worker(LoggedProcess):
    """`celery -A csa worker --beat`: one process running the background jobs, the periodic
    ones included, as `make serve` starts it."""

    def __init__(self, name: str, *, env: dict[str, str], workdir: Path) -> None:
        command = [
            str(VENV_BIN / "celery"),
            "-A",
            "csa",
            "worker",
            "--beat",
            "--pool=solo",
            "--without-mingle",
            "--without-gossip",
            f"--hostname={name}@%h",
        ]
        log_path = workdir / f"{name}.log"
        super().__init__(name, command, log_path=log_path, env=env, cwd=PROJECT_ROOT)

    def wait_ready(self) -> None:
        wait_for(lambda: " ready." in self.log_tail(), what=f"{self.name} ready", process=self)


class RedisServer(LoggedProcess):
    """A redis-server of the test's own, without persistence, so a test may stop it."""

    def __init__(self, name: str, *, workdir: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        command = [
            "redis-server",
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
        ]
        super().__init__(name, command, log_path=workdir / "redis.log")
        self.client = redis.Redis(port=self.port, socket_timeout=2)

    def wait_ready(self) -> None:
        wait_for(self._pings, what=f"{self.name} answering PING", process=self)

    def _pings(self) -> bool:
        try:
            return bool(self.client.ping())
        except redis.RedisError:
            return False

    def flush(self) -> None:
        """Empty this private instance (never the shared Redis)."""
        self.client.flushall()

    def close(self) -> None:
        self.client.close()
        super().close()


def postgres_bindir() -> Path:
    """Where initdb and pg_ctl live: PG_BINDIR if given, else what pg_config says."""
    if os.environ.get("PG_BINDIR"):
        return Path(os.environ["PG_BINDIR"])
    pg_config = shutil.which("pg_config")
    if pg_config is None:
        raise RuntimeError("pg_config not found: install PostgreSQL's server or set PG_BINDIR")
    found = subprocess.run(  # noqa: S603
        [pg_config, "--bindir"], capture_output=True, text=True, check=True
    ).stdout.strip()
    return Path(found)


class PostgresCluster:
    """A PostgreSQL cluster of the test's own (initdb into a temporary directory), on a free port,
    so a test may restart it. As root, its commands run as the `postgres` OS user."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.bindir = postgres_bindir()
        self.root = Path(tempfile.mkdtemp(prefix="csa-live-pg-"))
        self.data = self.root / "data"
        self.log_path = self.root / "postgres.log"
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"
        self._as_owner: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
            self._as_owner = ["runuser", "-u", "postgres", "--"]
        self._initialized = False
        self.closed_at: float | None = None

    def _run(self, *command: str, timeout: float = 60) -> None:
        result = subprocess.run(  # noqa: S603
            [*self._as_owner, *command], capture_output=True, text=True, timeout=timeout
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"{self.name}: {' '.join(command)} failed:\n{result.stdout}{result.stderr}"
                f"\n{self.log_tail()}"
            )

    def _pg_ctl(self, action: str, *options: str) -> None:
        self._run(str(self.bindir / "pg_ctl"), action, "-D", str(self.data), "-w", *options)

    def start(self) -> None:
        if not self._initialized:
            self._run(
                str(self.bindir / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--no-locale",
                "--no-sync",
            )
            self._initialized = True
            STARTED.append(self)
        self._pg_ctl("start", "-l", str(self.log_path), "-o", self._server_options())

    def _server_options(self) -> str:
        return (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )

    def stop(self) -> None:
        """Stop (fast: every connection is cut); `start` brings it back."""
        self._pg_ctl("stop", "-m", "fast")

    def restart(self) -> None:
        """Stop (fast: every connection is cut) and start again; returns once it accepts
        connections."""
        self._pg_ctl(
            "restart", "-m", "fast", "-l", str(self.log_path), "-o", self._server_options()
        )

    def close(self) -> None:
        if self._initialized:
            with suppress(RuntimeError, subprocess.TimeoutExpired):
                self._pg_ctl("stop", "-m", "immediate")
            self._kill_leftover()
        self.closed_at = time.monotonic()
        shutil.rmtree(self.root, ignore_errors=True)

    def _kill_leftover(self) -> None:
        """If pg_ctl could not stop it, the postmaster named in its pid file is told to quit
        (SIGQUIT: immediate shutdown), so no cluster outlives its test."""
        with suppress(FileNotFoundError, ValueError, IndexError, ProcessLookupError):
            pid = int((self.data / "postmaster.pid").read_text().split()[0])
            os.kill(pid, signal.SIGQUIT)

    def log_tail(self) -> str:
        return read_tail(self.log_path)
