"""Fake REDUCEAI and CHEEYUAN that speak their protocols (rewriting/providers/) on local ports.

Each fake logs its account in, issues Bearer tokens and checks them on every other call, keeps
the tasks it took, and counts every request per call ("login", "submit", "fetch"). A test steers
it through its methods: `refuse`, `complete`, `fail`, `expire_tokens`, `refuse_all_tokens`,
`repeat_task_ids`, and `fault`, which makes the next request of a call misbehave as a sick
vendor does.
"""

import itertools
import threading
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from urllib.parse import unquote, urlsplit

from tests.http_servers import UpstreamHandler

Answer = tuple[int, object]

# What `fault` can make a call do, once: "drop" does the work, then closes the connection
# unanswered; "hang" does the work and never answers; "http-502" and "http-403" answer that
# status with the work undone; "not-json" answers 200 with a body that is no JSON.
FAULTS = ("drop", "hang", "http-502", "http-403", "not-json")


@dataclass
class FakeTask:
    text: str
    tool: object
    status: str = "processing"
    progress: int = 0
    result: str | None = None
    only_result: bool = False  # REDUCEAI may answer only {"result": ...}


class FakeVendor(ABC):
    service: str
    tool: str  # a tool this vendor takes, as the routing table names it
    account = "vendor-account"
    password = "vendor-password"

    def __init__(self) -> None:
        self.logins = 0
        self.requests: dict[str, list[dict]] = defaultdict(list)  # every request's fields, per call
        self.tokens_seen: list[str] = []  # the Bearer tokens other calls came with
        self.tasks: dict[str, FakeTask] = {}
        self.refusal: str | None = None
        self.valid_tokens: set[str] = set()
        self._refuse_all_tokens = False
        self.repeating_ids = False
        self.last_task_id: str | None = None
        self._faults: dict[str, list[str]] = defaultdict(list)
        self._serial = itertools.count(1)
        self._lock = threading.Lock()
        self.released = threading.Event()  # set at teardown, so hung handlers end
        self.on_hang: Callable[[], None] = lambda: None  # the fixture shortens the client's wait
        # Called with each task as it is created: a test's vendor that finishes (or fails) tasks
        # by itself, as a real one does while nobody is steering it.
        self.on_task: Callable[[FakeTask], None] = lambda task: None

    # --- steering, for tests ------------------------------------------------------------------

    def refuse(self, message: str) -> None:
        """Refuse every submission from now on, the way this vendor refuses."""
        self.refusal = message

    def advance(self, task_id: str, progress: int) -> None:
        self.tasks[task_id].progress = progress

    def complete(self, task_id: str, result: str) -> None:
        task = self.tasks[task_id]
        task.status, task.progress, task.result = "completed", 100, result

    def fail(self, task_id: str) -> None:
        self.tasks[task_id].status = "failed"

    def expire_tokens(self) -> None:
        """Every token issued so far is refused with a 401; a new login gives one that works."""
        self.valid_tokens.clear()

    def refuse_all_tokens(self) -> None:
        self._refuse_all_tokens = True

    def repeat_task_ids(self) -> None:
        """From now on every submit is answered with the id of the one before, as a vendor
        that reuses its ids would."""
        self.repeating_ids = True

    def task_id(self, fresh: str) -> str:
        """`fresh`, or the last id again while repeating."""
        if not (self.repeating_ids and self.last_task_id):
            self.last_task_id = fresh
        return self.last_task_id

    def fault(self, call: str, kind: str) -> None:
        assert kind in FAULTS, kind
        if kind == "hang":
            self.on_hang()
        self._faults[call].append(kind)

    @property
    def submits(self) -> int:
        """Requests that reached the submit call, whatever became of them."""
        return len(self.requests["submit"])

    # --- the protocol, per vendor -------------------------------------------------------------

    @abstractmethod
    def route(self, method: str, path: str) -> tuple[str, str] | None:
        """(call, task id in the path or "") for a request line this vendor knows."""

    @abstractmethod
    def login(self, fields: dict) -> Answer: ...

    @abstractmethod
    def submit(self, fields: dict) -> Answer: ...

    @abstractmethod
    def fetch(self, fields: dict, path_task_id: str) -> Answer: ...

    # --- serving ------------------------------------------------------------------------------

    def issue_token(self) -> str:
        token = f"{self.service}-token-{next(self._serial)}"
        self.valid_tokens.add(token)
        self.logins += 1
        return token

    def next_serial(self) -> int:
        return next(self._serial)

    def serve(self, request: UpstreamHandler) -> None:
        fields = request.read_fields()
        known = self.route(request.command, urlsplit(request.path).path)
        if known is None:
            request.send_json(404, {"message": "not found"})
            return
        call, path_task_id = known
        with self._lock:
            self.requests[call].append(fields)
            fault = self._faults[call].pop(0) if self._faults[call] else None
            if call != "login" and not self._authorized(request.headers.get("Authorization", "")):
                request.send_json(401, {"message": "Unauthorized"})
                return
            if fault == "http-502":
                request.send_text(502, "<html>Bad Gateway</html>", content_type="text/html")
                return
            if fault == "http-403":
                request.send_json(403, {"message": "账户已停用"})
                return
            if call == "login":
                status, body = self.login(fields)
            elif call == "submit":
                status, body = self.submit(fields)
            else:
                status, body = self.fetch(fields, path_task_id)
        if fault == "hang":
            self.released.wait(10)
        if fault in ("drop", "hang"):
            request.close_connection = True
            return
        if fault == "not-json":
            request.send_text(200, "<html>维护中</html>", content_type="text/html")
            return
        request.send_json(status, body)

    def _authorized(self, header: str) -> bool:
        scheme, _, token = header.partition(" ")
        if scheme != "Bearer" or not token:
            return False
        self.tokens_seen.append(token)
        return token in self.valid_tokens and not self._refuse_all_tokens

    def handler(self) -> type[BaseHTTPRequestHandler]:
        vendor = self

        class VendorHandler(UpstreamHandler):
            def do_GET(self) -> None:
                vendor.serve(self)

            def do_POST(self) -> None:
                vendor.serve(self)

        return VendorHandler


class FakeReduceAI(FakeVendor):
    service = "reduceai"
    tool = "onlyjc"
    result_methods = ("GET",)

    def route(self, method: str, path: str) -> tuple[str, str] | None:
        if method == "POST" and path == "/auth/login":
            return "login", ""
        if method == "POST" and path == "/ai/reduce":
            return "submit", ""
        if method in self.result_methods and path.startswith("/result/"):
            return "fetch", unquote(path.removeprefix("/result/"))
        return None

    def login(self, fields: dict) -> Answer:
        if fields.get("username") == self.account and fields.get("password") == self.password:
            return 200, {"token": self.issue_token()}
        return 401, {"message": "用户名或密码错误"}

    def submit(self, fields: dict) -> Answer:
        if self.refusal:
            return 400, {"message": self.refusal}
        if not fields.get("text") or fields.get("toolName") not in ("onlyjc", "onlyai"):
            return 422, {"message": "参数错误"}
        task_id = self.task_id(
            f"{fields['toolName']}_98631379_{1758017276000 + self.next_serial()}"
        )
        self.tasks[task_id] = FakeTask(text=fields["text"], tool=fields["toolName"])
        self.on_task(self.tasks[task_id])
        return 200, {"taskId": task_id, "newBalance": 462}

    def fetch(self, fields: dict, path_task_id: str) -> Answer:
        task = self.tasks.get(path_task_id)
        if task is None:
            return 404, {"message": "任务不存在"}
        if task.only_result:
            return 200, {"result": task.result}
        return 200, {
            "userId": 98631379,
            "toolName": task.tool,
            "status": task.status,
            "progress": task.progress,
            "totalSentences": 10,
            "processedSentences": task.progress // 10,
            "result": task.result,
            "queuePosition": 0,
            "cost": 5,
        }


class FakeCheeyuan(FakeVendor):
    service = "cheeyuan"
    tool = "78"
    DEAL_STATUS = {"processing": 0, "completed": 1, "failed": 2}

    def route(self, method: str, path: str) -> tuple[str, str] | None:
        calls = {
            "/user/login": "login",
            "/tools/freechangeword/async": "submit",
            "/tools/common/status": "fetch",
        }
        return (calls[path], "") if method == "POST" and path in calls else None

    def login(self, fields: dict) -> Answer:
        if fields.get("account") == self.account and fields.get("password") == self.password:
            return 200, {"code": 1, "message": "登录成功", "data": {"token": self.issue_token()}}
        return 200, {"code": 0, "message": "账号或密码错误", "data": None}

    def submit(self, fields: dict) -> Answer:
        if self.refusal:
            return 200, {"code": 0, "message": self.refusal, "data": None}
        if not fields.get("content") or fields.get("product_type") != 78:
            return 200, {"code": 0, "message": "参数错误", "data": None}
        task_id = int(self.task_id(str(123456 + self.next_serial())))
        self.tasks[str(task_id)] = FakeTask(text=fields["content"], tool=fields["product_type"])
        self.on_task(self.tasks[str(task_id)])
        return 200, {"code": 1, "message": "正在生成中,切勿重复提交…", "data": task_id}

    def fetch(self, fields: dict, path_task_id: str) -> Answer:
        task = self.tasks.get(str(fields.get("id")))
        if task is None:
            return 200, {"code": 0, "message": "任务不存在", "data": None}
        done = task.status != "processing"
        return 200, {
            "code": 1,
            "message": "success",
            "data": {
                "id": fields["id"],
                "size": len(task.text),
                "origintxt": task.text,
                "txt": task.text,
                "resulttext": task.result or "",
                "deal_status": self.DEAL_STATUS[task.status],
                "created_at": "2025-11-03 14:04:04",
                "updated_at": "2025-11-03 14:04:16" if done else "2025-11-03 14:04:04",
            },
        }
