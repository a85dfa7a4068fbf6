"""Races on purpose: one call in many threads, released together, each on its own connection."""

import threading
from collections.abc import Callable

import pytest
from django.db import connection

# For the tests of races: what they prove holds only where rows are locked.
races_need_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite has no row locks and one writer at a time; races need PostgreSQL",
)


def all_at_once(call: Callable[[], object], threads: int) -> list[object]:
    """Run `call` in `threads` threads released together; what each returned, or the exception
    it raised, so the test sees that too."""
    barrier = threading.Barrier(threads)
    outcomes: list[object] = [None] * threads

    def run(index: int) -> None:
        try:
            barrier.wait()
            outcomes[index] = call()
        except BaseException as error:
            outcomes[index] = error
        finally:
            connection.close()

    workers = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return outcomes
