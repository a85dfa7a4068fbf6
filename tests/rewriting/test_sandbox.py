"""The development sandbox: the same lifecycle as a vendor, kept in the shared cache."""

import pytest

from rewriting.providers import ProviderRefused, provider_for
from rewriting.providers.sandbox import RESULT_MARKER, SandboxProvider

SECONDS_TO_FINISH = 6.0


class Clock:
    """The sandbox's time, moved by the test."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def development(settings) -> None:
    settings.DEBUG = True
    settings.REWRITING_SANDBOX_SECONDS = SECONDS_TO_FINISH


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sandbox(clock) -> SandboxProvider:
    return SandboxProvider(seconds_to_finish=SECONDS_TO_FINISH, clock=clock)


@pytest.mark.parametrize("service", ["reduceai", "cheeyuan"])
def test_without_vendor_settings_in_development_the_sandbox_serves(service):
    provider = provider_for(service)

    assert isinstance(provider, SandboxProvider)
    assert provider.seconds_to_finish == SECONDS_TO_FINISH


def test_progress_grows_then_the_task_completes_with_the_text_under_a_marker(sandbox, clock):
    task_id = sandbox.submit(text="需要降重的文本", tool="onlyjc")

    assert sandbox.name == "sandbox"
    assert task_id.startswith("sandbox-")
    first = sandbox.fetch(task_id=task_id)
    clock.now += SECONDS_TO_FINISH / 2
    second = sandbox.fetch(task_id=task_id)
    assert (first.status, second.status) == ("processing", "processing")
    assert (first.progress, second.progress) == (0, 50)

    clock.now += SECONDS_TO_FINISH / 2
    state = sandbox.fetch(task_id=task_id)

    assert (state.status, state.progress) == ("completed", 100)
    assert state.result == f"{RESULT_MARKER}需要降重的文本"


def test_each_line_of_a_documents_piece_is_marked(sandbox, clock):
    task_id = sandbox.submit(text="第一段。\n第二段。", tool="onlyjc")
    clock.now += SECONDS_TO_FINISH

    state = sandbox.fetch(task_id=task_id)

    assert state.result == f"{RESULT_MARKER}第一段。\n{RESULT_MARKER}第二段。"


def test_every_process_sees_the_same_task():
    task_id = SandboxProvider(seconds_to_finish=0).submit(text="文本", tool="onlyjc")

    assert SandboxProvider(seconds_to_finish=0).fetch(task_id=task_id).status == "completed"


def test_text_with_fail_ends_failed(sandbox, clock):
    task_id = sandbox.submit(text="测试 FAIL 退款", tool="onlyjc")

    clock.now += SECONDS_TO_FINISH

    assert sandbox.fetch(task_id=task_id).status == "failed"


def test_text_with_refuse_is_refused():
    with pytest.raises(ProviderRefused):
        provider_for("cheeyuan").submit(text="REFUSE", tool="78")


def test_a_task_the_cache_forgot_ends_failed_rather_than_processing_forever():
    assert provider_for("reduceai").fetch(task_id="sandbox-unknown").status == "failed"
