"""A stand-in vendor for development, used only with DEBUG on and a vendor's settings missing.

Tasks live in the `sandbox` cache (the shared one, or files), so the dev server and its worker
see the same lifecycle: processing with growing
progress for a few seconds after submit, then completed with each line of the text under a marker
(a document's piece is paragraphs one a line, and every paragraph shows it was rewritten). Text that
contains FAIL ends failed (to try refunds); text that contains REFUSE is refused at submit.
"""

import logging
import time
import uuid
from collections.abc import Callable

from django.core.cache import caches

from rewriting.providers.base import Provider, ProviderRefused, TaskState

logger = logging.getLogger(__name__)

TASK_ID_PREFIX = "sandbox-"
RESULT_MARKER = "【沙箱改写】"
TASK_TTL_SECONDS = 7 * 24 * 60 * 60


class SandboxProvider(Provider):
    name = "sandbox"

    def __init__(
        self, *, seconds_to_finish: float = 6.0, clock: Callable[[], float] = time.time
    ) -> None:
        self.seconds_to_finish = seconds_to_finish
        self.clock = clock

    def submit(self, *, text: str, tool: str) -> str:
        if "REFUSE" in text:
            raise ProviderRefused("沙箱拒绝了该任务（文本含 REFUSE）")
        task_id = f"{TASK_ID_PREFIX}{uuid.uuid4()}"
        task = {"text": text, "tool": tool, "submitted_at": self.clock()}
        caches["sandbox"].set(_key(task_id), task, TASK_TTL_SECONDS)
        logger.info("Sandbox vendor took task %s (%s, %d characters)", task_id, tool, len(text))
        return task_id

    def fetch(self, *, task_id: str) -> TaskState:
        task = caches["sandbox"].get(_key(task_id))
        if task is None:
            # The cache forgot it (cleared, or expired): end the task rather than poll forever.
            logger.warning("Sandbox vendor has no task %s (cache cleared?): failed", task_id)
            return TaskState("failed")
        elapsed = self.clock() - task["submitted_at"]
        if elapsed < self.seconds_to_finish:
            return TaskState("processing", progress=int(100 * elapsed / self.seconds_to_finish))
        if "FAIL" in task["text"]:
            return TaskState("failed")
        lines = task["text"].split("\n")
        result = "\n".join(f"{RESULT_MARKER}{line}" for line in lines)
        return TaskState("completed", progress=100, result=result)


def _key(task_id: str) -> str:
    return f"rewriting:sandbox-task:{task_id}"
