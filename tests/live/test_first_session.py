"""docs/first-session.md runs as written: its shell blocks, in order, in one bash that stops at
the first failing command, from a folder of their own, against a fresh `make run` (SQLite, local
files, console e-mail and SMS, the sandbox vendor and the worker) on a port and a var folder of
its own."""

import io
import os
import re
import shutil
import signal
import subprocess
from contextlib import contextmanager, suppress

import docx
import requests

from tests.live.processes import PROJECT_ROOT, free_port, read_tail, wait_for

GUIDE = PROJECT_ROOT / "docs" / "first-session.md"
SHELL_BLOCK = re.compile(r"^```sh\n(.*?)^```", re.S | re.M)
# What make run must not inherit from the test run: it is the embedded default, on its own.
NOT_INHERITED = ("DATABASE_URL", "CACHE_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE")
STARTUP_SECONDS = 180  # a fresh SQLite database migrated on a loaded machine
SESSION_SECONDS = 300


def shell_blocks() -> list[str]:
    return SHELL_BLOCK.findall(GUIDE.read_text())


@contextmanager
def make_run(tmp_path, env: dict[str, str]):
    """`make run` on a free port, its whole process group stopped at the end; its URL."""
    port = free_port()
    log_path = tmp_path / "make-run.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen(  # noqa: S603
            ["make", "--no-print-directory", "run", f"PORT={port}"],  # noqa: S607
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_for(
                lambda: _healthy(url) or server.poll() is not None,
                what="make run serving",
                seconds=STARTUP_SECONDS,
            )
            assert server.poll() is None, read_tail(log_path)
            yield url, log_path
        finally:
            _stop(server)


def _healthy(url: str) -> bool:
    with suppress(requests.RequestException):
        return requests.get(f"{url}/api/health", timeout=2).status_code == 200
    return False


def _stop(server: subprocess.Popen) -> None:
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        with suppress(ProcessLookupError):
            os.killpg(server.pid, sig)
        with suppress(subprocess.TimeoutExpired):
            server.wait(wait)
            return


def test_the_guide_has_its_blocks():
    blocks = shell_blocks()
    assert len(blocks) >= 8
    assert not any("../shared" in block for block in blocks)


def test_the_first_session_runs_as_written_on_a_fresh_make_run(tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in NOT_INHERITED}
    env["VAR_DIR"] = str(tmp_path / "var")
    workdir = tmp_path / "reader"
    workdir.mkdir()
    (workdir / ".venv").symlink_to(PROJECT_ROOT / ".venv")
    shutil.copy(PROJECT_ROOT / "manage.py", workdir / "manage.py")
    script = "set -euo pipefail\n" + "\n".join(shell_blocks())

    with make_run(tmp_path, env) as (url, log_path):
        session = subprocess.run(  # noqa: S603
            ["bash", "-c", script],  # noqa: S607
            cwd=workdir,
            env={**env, "API": url},
            capture_output=True,
            text=True,
            timeout=SESSION_SECONDS,
        )

        report = f"{session.stdout[-4000:]}\n{session.stderr[-4000:]}\n{read_tail(log_path)}"
        assert session.returncode == 0, report
    assert "401" in session.stdout  # the portal's session ended by the password change
    rewritten = docx.Document(io.BytesIO((workdir / "thesis_改写.docx").read_bytes()))
    assert any(p.text.startswith("【沙箱改写】") for p in rewritten.paragraphs), report
