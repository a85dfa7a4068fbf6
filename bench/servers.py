"""The processes a bench part runs against: the vendor stand-in, gunicorn as `make serve`
starts it, and a background worker on the same settings."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path


def free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return probe.getsockname()[1]


class Servers:
    """`with Servers(...) as base:` starts them all and gives the app's base URL; they stop
    when the block ends."""

    def __init__(
        self,
        *,
        root: Path,
        scratch: Path,
        port: int,
        workers: int,
        threads: int,
        vendor_delay: float,
    ) -> None:
        self.root, self.scratch, self.port = root, scratch, port
        self.workers, self.threads, self.vendor_delay = workers, threads, vendor_delay
        self.processes: list[subprocess.Popen] = []

    def __enter__(self) -> str:
        vendor_port = free_port()
        env = {**os.environ, "REDUCEAI_API_URL": f"http://127.0.0.1:{vendor_port}"}
        bin_dir = Path(sys.executable).parent
        self._start(
            [sys.executable, "-m", "bench.vendor", str(vendor_port), str(self.vendor_delay)],
            env,
            "vendor",
        )
        self._start(
            [
                str(bin_dir / "celery"),
                "-A",
                "csa",
                "worker",
                "--without-mingle",
                "--without-gossip",
                "--concurrency",
                "2",
                "--loglevel",
                "warning",
            ],
            env,
            "worker",
        )
        log = self._start(
            [
                str(bin_dir / "gunicorn"),
                "csa.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--worker-class",
                "gthread",
                "--threads",
                str(self.threads),
                "--access-logfile",
                "/dev/null",
                "--error-logfile",
                "-",
            ],
            env,
            "server",
        )
        base = f"http://127.0.0.1:{self.port}"
        self._wait_until_healthy(base, log)
        return base

    def __exit__(self, *exc) -> None:
        for process in reversed(self.processes):
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()

    def _start(self, command: list[str], env: dict, name: str) -> Path:
        log = self.scratch / f"{name}.log"
        output = log.open("wb")
        self.processes.append(
            subprocess.Popen(command, cwd=self.root, env=env, stdout=output, stderr=output)
        )
        return log

    def _wait_until_healthy(self, base: str, log: Path) -> None:
        import requests

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{base}/api/health", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the server did not come up:\n{log.read_text()[-3000:]}")
