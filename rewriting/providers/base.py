"""The small interface every upstream provider speaks, and what it may raise."""

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Literal

UNAVAILABLE = "改写服务暂时不可用，请稍后再试"


@dataclass(frozen=True)
class TaskState:
    status: Literal["processing", "completed", "failed"]
    progress: int | None = None
    result: str | None = None
    # The vendor's own extra fields that the rewriting API passes on as they came
    # (REDUCEAI: queuePosition, cost; CHEEYUAN: created_at, updated_at).
    details: dict[str, object] = field(default_factory=dict)


class ProviderError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ProviderRefused(ProviderError):
    """The vendor answered that it did not take the task: nothing exists there, so the points
    held for it can be released."""


class ProviderUnavailable(ProviderError):
    """The vendor could not be asked or gave no usable answer: not configured, unreachable,
    timed out, 5xx, or an answer we cannot read.

    On submit this is not a refusal. `task_may_exist` is True when the request may have reached
    the vendor before things went wrong (a read timeout, a dropped connection, a 5xx, an
    unreadable 2xx): the vendor may have created a task, and be charging for it, whose id we
    never learned. Such a submit is never retried, so a task is never created twice; it is False
    only when the request certainly never left (not configured, connection refused, connect
    timeout, the login failed, every token refused).
    """

    def __init__(self, message: str = UNAVAILABLE, *, task_may_exist: bool = False) -> None:
        super().__init__(message)
        self.task_may_exist = task_may_exist


class Provider(ABC):
    name: str

    @abstractmethod
    def submit(self, *, text: str, tool: str) -> str:
        """Create a task at the vendor; return its id there. Raises ProviderRefused or
        ProviderUnavailable."""

    @abstractmethod
    def fetch(self, *, task_id: str) -> TaskState:
        """The task's state at the vendor now. Raises ProviderUnavailable."""
