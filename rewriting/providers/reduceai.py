"""REDUCEAI's API, as the vendor documents it: login, POST /ai/reduce, the result by task id."""

from dataclasses import dataclass, field
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from rewriting.providers.base import TaskState
from rewriting.providers.vendor import Timeouts, VendorProvider


@dataclass(frozen=True)
class ReduceAIConfig:
    api_url: str
    auth_url: str
    username: str
    password: str = field(repr=False)
    result_method: str
    timeouts: Timeouts

    @classmethod
    def from_settings(cls) -> "ReduceAIConfig":
        # The vendor's note says POST for the result, the reference implementation GET.
        result_method = settings.REDUCEAI_RESULT_METHOD.upper()
        if result_method not in ("GET", "POST"):
            raise ImproperlyConfigured("REDUCEAI_RESULT_METHOD must be GET or POST")
        return cls(
            api_url=settings.REDUCEAI_API_URL.rstrip("/"),
            auth_url=(settings.REDUCEAI_AUTH_URL or settings.REDUCEAI_API_URL).rstrip("/"),
            username=settings.REDUCEAI_LOGIN_USERNAME,
            password=settings.REDUCEAI_LOGIN_PASSWORD,
            result_method=result_method,
            timeouts=Timeouts.from_settings(),
        )


class ReduceAIProvider(VendorProvider):
    name = "reduceai"
    required_settings = ("REDUCEAI_API_URL", "REDUCEAI_LOGIN_USERNAME", "REDUCEAI_LOGIN_PASSWORD")

    def __init__(self, config: ReduceAIConfig) -> None:
        self.config = config
        super().__init__(
            login_url=config.auth_url, account=config.username, timeouts=config.timeouts
        )

    def _login(self) -> str:
        credentials = {"username": self.config.username, "password": self.config.password}
        response = self._send("POST", f"{self.config.auth_url}/auth/login", json=credentials)
        token = self._answer(response).get("token")
        if not isinstance(token, str) or not token:
            raise self._unreadable("a login")
        return token

    def submit(self, *, text: str, tool: str) -> str:
        task = {"text": text, "toolName": tool}
        response = self._authorized(
            "POST", f"{self.config.api_url}/ai/reduce", json=task, submit=True
        )
        task_id = self._answer(response, submit=True).get("taskId")
        if isinstance(task_id, bool) or not isinstance(task_id, str | int) or task_id == "":
            raise self._unreadable("a submit", submit=True)
        return str(task_id)

    def fetch(self, *, task_id: str) -> TaskState:
        url = f"{self.config.api_url}/result/{quote(task_id, safe='')}"
        response = self._authorized(self.config.result_method, url)
        state = task_state(self._answer(response))
        if state is None:
            raise self._unreadable("a result")
        return state


def task_state(answer: dict) -> TaskState | None:
    """The task's state in a result answer; None when the answer is not one the protocol knows."""
    result = answer.get("result")
    result = result if isinstance(result, str) and result else None
    details = {key: answer[key] for key in ("queuePosition", "cost") if key in answer}
    status = answer.get("status")
    if status is None:
        # The vendor may answer only {"result": "..."}: that is a finished task.
        return TaskState("completed", progress=100, result=result) if result else None
    if status == "completed" and result:
        return TaskState("completed", progress=100, result=result, details=details)
    if status in ("processing", "completed"):
        # "completed" without its text is not finished for a customer who paid for the text.
        return TaskState("processing", progress=_percent(answer.get("progress")), details=details)
    if status == "failed":
        return TaskState("failed", progress=_percent(answer.get("progress")), details=details)
    return None


def _percent(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return max(0, min(100, int(value)))
