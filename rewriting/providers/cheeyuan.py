"""CHEEYUAN's API, as the vendor documents it: login, an async rewrite, its status by id."""

from dataclasses import dataclass, field

from django.conf import settings

from rewriting.providers.base import ProviderRefused, TaskState
from rewriting.providers.vendor import Timeouts, VendorProvider, vendor_message

# Numbers by the protocol, also taken when sent as strings.
ACCEPTED = (1, "1")  # the `code` of an answer that did what was asked
DEAL_COMPLETED = (1, "1")
DEAL_FAILED = (2, "2")


@dataclass(frozen=True)
class CheeyuanConfig:
    api_url: str
    account: str
    password: str = field(repr=False)
    timeouts: Timeouts

    @classmethod
    def from_settings(cls) -> "CheeyuanConfig":
        return cls(
            api_url=settings.CHEEYUAN_API_URL.rstrip("/"),
            account=settings.CHEEYUAN_LOGIN_ACCOUNT,
            password=settings.CHEEYUAN_LOGIN_PASSWORD,
            timeouts=Timeouts.from_settings(),
        )


class CheeyuanProvider(VendorProvider):
    name = "cheeyuan"
    required_settings = ("CHEEYUAN_API_URL", "CHEEYUAN_LOGIN_ACCOUNT", "CHEEYUAN_LOGIN_PASSWORD")

    def __init__(self, config: CheeyuanConfig) -> None:
        self.config = config
        super().__init__(login_url=config.api_url, account=config.account, timeouts=config.timeouts)

    def _login(self) -> str:
        credentials = {"account": self.config.account, "password": self.config.password}
        response = self._send("POST", f"{self.config.api_url}/user/login", json=credentials)
        answer = self._answer(response)
        session = answer.get("data")
        token = session.get("token") if _accepted(answer) and isinstance(session, dict) else None
        if not isinstance(token, str) or not token:
            raise self._unreadable(f"a login ({vendor_message(answer) or 'no token'})")
        return token

    def submit(self, *, text: str, tool: str) -> str:
        task = {"content": text, "product_type": int(tool)}
        url = f"{self.config.api_url}/tools/freechangeword/async"
        answer = self._answer(self._authorized("POST", url, json=task, submit=True), submit=True)
        if not _accepted(answer):
            raise ProviderRefused(vendor_message(answer) or "CHEEYUAN任务提交失败")
        task_id = answer.get("data")
        if isinstance(task_id, bool) or not isinstance(task_id, int | str) or task_id == "":
            raise self._unreadable("a submit", submit=True)
        return str(task_id)

    def fetch(self, *, task_id: str) -> TaskState:
        query = {"id": int(task_id) if task_id.isdigit() else task_id}
        response = self._authorized(
            "POST", f"{self.config.api_url}/tools/common/status", json=query
        )
        answer = self._answer(response)
        task = answer.get("data")
        if not _accepted(answer) or not isinstance(task, dict):
            raise self._unreadable(f"a status ({vendor_message(answer) or 'no task'})")
        return task_state(task)


def task_state(task: dict) -> TaskState:
    """deal_status 1 with a non-empty resulttext is completed, 2 failed, else processing."""
    details = {key: task[key] for key in ("created_at", "updated_at") if key in task}
    deal_status = task.get("deal_status")
    result = task.get("resulttext")
    if deal_status in DEAL_COMPLETED and isinstance(result, str) and result:
        return TaskState("completed", progress=100, result=result, details=details)
    if deal_status in DEAL_FAILED:
        return TaskState("failed", details=details)
    return TaskState("processing", details=details)


def _accepted(answer: dict) -> bool:
    return answer.get("code") in ACCEPTED
