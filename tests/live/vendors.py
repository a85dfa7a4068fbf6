"""The rewriting vendors' stand-ins (tests/rewriting/fake_vendors.py) served to app processes:
the servers reach them over 127.0.0.1, and the test steers and counts them in its own process."""

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from tests.http_servers import http_server
from tests.rewriting.fake_vendors import Answer, FakeCheeyuan, FakeReduceAI, FakeVendor
from tests.rewriting.helpers import ROUTE_TO

SUBMIT_PATH = "/ai/reduce-task"
SAMPLE_TEXT = "需要降重的文本内容"


class WrongShapes:
    """A stand-in that can answer the next submits 200 with JSON the protocol does not know."""

    wrong_shape: Answer

    def __init__(self) -> None:
        super().__init__()
        self.wrong_shape_submits = 0

    def submit(self, fields: dict) -> Answer:
        if self.wrong_shape_submits:
            self.wrong_shape_submits -= 1
            return self.wrong_shape
        return super().submit(fields)


class LiveReduceAI(WrongShapes, FakeReduceAI):
    wrong_shape = (200, {"newBalance": 462, "message": "ok"})  # no taskId


class LiveCheeyuan(WrongShapes, FakeCheeyuan):
    wrong_shape = (200, {"code": 1, "message": "ok", "data": {"unexpected": True}})


@contextmanager
def serving_vendors() -> Iterator[tuple[dict[str, FakeVendor], dict[str, str]]]:
    """Both stand-ins on local ports: the fakes by service, and the settings that name them."""
    fakes: dict[str, FakeVendor] = {"reduceai": LiveReduceAI(), "cheeyuan": LiveCheeyuan()}
    with ExitStack() as stack:
        urls = {
            service: stack.enter_context(http_server(fake.handler()))
            for service, fake in fakes.items()
        }
        for fake in fakes.values():
            # Set first at exit, so handlers still hanging let go before their server stops.
            stack.callback(fake.released.set)
        reduceai, cheeyuan = fakes["reduceai"], fakes["cheeyuan"]
        yield (
            fakes,
            {
                "REDUCEAI_API_URL": urls["reduceai"],
                "REDUCEAI_LOGIN_USERNAME": reduceai.account,
                "REDUCEAI_LOGIN_PASSWORD": reduceai.password,
                "CHEEYUAN_API_URL": urls["cheeyuan"],
                "CHEEYUAN_LOGIN_ACCOUNT": cheeyuan.account,
                "CHEEYUAN_LOGIN_PASSWORD": cheeyuan.password,
            },
        )


def task_body(service: str, text: str = SAMPLE_TEXT) -> dict[str, str]:
    """A /ai/reduce-task body that the routing table sends to `service`."""
    platform, task_type = ROUTE_TO[service]
    return {"text": text, "platform": platform, "type": task_type}
