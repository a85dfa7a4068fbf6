"""What both vendor clients do alike, each against its fake vendor on a local port."""

import pytest

from rewriting.providers import ProviderRefused, ProviderUnavailable, TaskState, provider_for

TEXT = "需要降重的文本内容"


def submit(vendor, text: str = TEXT) -> str:
    return provider_for(vendor.service).submit(text=text, tool=vendor.tool)


def fetch(vendor, task_id: str) -> TaskState:
    return provider_for(vendor.service).fetch(task_id=task_id)


def unavailable(call) -> ProviderUnavailable:
    with pytest.raises(ProviderUnavailable) as outage:
        call()
    return outage.value


def another_process(vendor):
    """A fresh client with its own session, as in another process: only the cache is shared."""
    client = provider_for(vendor.service)
    return type(client)(client.config)


def test_submit_then_poll_to_completion(vendor):
    task_id = submit(vendor)

    assert vendor.tasks[task_id].text == TEXT
    assert fetch(vendor, task_id).status == "processing"

    vendor.complete(task_id, "改写后的文本")
    state = fetch(vendor, task_id)

    assert (state.status, state.progress, state.result) == ("completed", 100, "改写后的文本")


def test_a_failed_task_is_failed(vendor):
    task_id = submit(vendor)
    vendor.fail(task_id)

    state = fetch(vendor, task_id)

    assert (state.status, state.result) == ("failed", None)


def test_a_refusal_is_provider_refused_with_the_vendors_message(vendor):
    vendor.refuse("账户余额不足")

    with pytest.raises(ProviderRefused, match="账户余额不足"):
        submit(vendor)
    assert vendor.tasks == {}


def test_a_4xx_answer_to_a_submit_is_a_refusal(vendor):
    vendor.fault("submit", "http-403")

    with pytest.raises(ProviderRefused, match="账户已停用"):
        submit(vendor)


def test_a_submit_that_times_out_is_unavailable_maybe_created_and_never_resent(vendor):
    vendor.fault("submit", "hang")

    outage = unavailable(lambda: submit(vendor))

    assert outage.task_may_exist is True
    assert vendor.submits == 1
    assert len(vendor.tasks) == 1  # the vendor took it: exactly once


def test_a_submit_whose_connection_drops_is_never_resent(vendor):
    vendor.fault("submit", "drop")

    outage = unavailable(lambda: submit(vendor))

    assert outage.task_may_exist is True
    assert vendor.submits == 1
    assert len(vendor.tasks) == 1


@pytest.mark.parametrize("fault", ["http-502", "not-json"])
def test_a_submit_answered_with_a_5xx_or_no_json_is_unavailable_maybe_created(vendor, fault):
    vendor.fault("submit", fault)

    outage = unavailable(lambda: submit(vendor))

    assert outage.task_may_exist is True
    assert vendor.submits == 1


def test_a_fetch_that_times_out_is_unavailable_and_not_asked_again(vendor):
    task_id = submit(vendor)
    vendor.fault("fetch", "hang")

    unavailable(lambda: fetch(vendor, task_id))

    assert len(vendor.requests["fetch"]) == 1


def test_a_fetch_whose_connection_drops_is_asked_once_more(vendor):
    task_id = submit(vendor)
    vendor.complete(task_id, "改写后的文本")
    vendor.fault("fetch", "drop")

    assert fetch(vendor, task_id).status == "completed"
    assert len(vendor.requests["fetch"]) == 2


@pytest.mark.parametrize("fault", ["http-502", "not-json"])
def test_a_fetch_answered_with_a_5xx_or_no_json_is_unavailable(vendor, fault):
    task_id = submit(vendor)
    vendor.fault("fetch", fault)

    unavailable(lambda: fetch(vendor, task_id))


def test_a_fetch_of_a_task_the_vendor_does_not_know_is_unavailable(vendor):
    submit(vendor)

    unavailable(lambda: fetch(vendor, "999"))


def test_one_login_serves_every_submit_and_fetch_in_every_process(vendor):
    first = submit(vendor)
    submit(vendor)
    fetch(vendor, first)
    another_process(vendor).submit(text=TEXT, tool=vendor.tool)

    assert vendor.logins == 1
    assert len(set(vendor.tokens_seen)) == 1
    assert len(vendor.tasks) == 3


def test_a_401_on_submit_logs_in_again_and_submits_once_more(vendor):
    submit(vendor)
    vendor.expire_tokens()

    submit(vendor)

    assert vendor.logins == 2
    assert vendor.submits == 3  # the first, the one refused with a 401, the one resent
    assert len(vendor.tasks) == 2
    # Other processes take the new token from the cache.
    another_process(vendor).submit(text=TEXT, tool=vendor.tool)
    assert vendor.logins == 2


def test_a_401_on_fetch_logs_in_again(vendor):
    task_id = submit(vendor)
    vendor.expire_tokens()

    assert fetch(vendor, task_id).status == "processing"
    assert vendor.logins == 2


def test_a_token_refused_right_after_login_is_unavailable_after_one_new_login(vendor):
    submit(vendor)
    vendor.refuse_all_tokens()

    outage = unavailable(lambda: submit(vendor))

    assert outage.task_may_exist is False
    assert vendor.logins == 2
    assert len(vendor.tasks) == 1


def test_a_refused_login_is_unavailable_and_nothing_is_submitted(vendor, settings):
    setattr(settings, f"{vendor.service.upper()}_LOGIN_PASSWORD", "wrong-password")

    outage = unavailable(lambda: submit(vendor))

    assert outage.task_may_exist is False
    assert vendor.submits == 0


def test_a_login_whose_connection_drops_is_tried_once_more(vendor):
    vendor.fault("login", "drop")

    submit(vendor)

    assert len(vendor.requests["login"]) == 2
    assert len(vendor.tasks) == 1


def test_a_login_that_times_out_is_unavailable_and_nothing_is_submitted(vendor):
    vendor.fault("login", "hang")

    outage = unavailable(lambda: submit(vendor))

    assert outage.task_may_exist is False
    assert vendor.submits == 0
