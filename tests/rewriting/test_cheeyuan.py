"""CHEEYUAN in particular: codes in the body, numeric product_type and id, deal_status."""

import pytest

from rewriting.providers import ProviderRefused, ProviderUnavailable, provider_for
from rewriting.providers.cheeyuan import task_state
from tests.http_servers import closed_port_url


def client():
    return provider_for("cheeyuan")


def test_login_submit_and_status_send_the_documented_json(cheeyuan):
    task_id = client().submit(text="降AI率的文本", tool="78")
    client().fetch(task_id=task_id)

    assert cheeyuan.requests["login"] == [
        {"account": cheeyuan.account, "password": cheeyuan.password}
    ]
    assert cheeyuan.requests["submit"] == [{"content": "降AI率的文本", "product_type": 78}]
    assert cheeyuan.requests["fetch"] == [{"id": int(task_id)}]
    assert cheeyuan.tokens_seen == ["cheeyuan-token-1", "cheeyuan-token-1"]


def test_a_code_other_than_1_refuses_with_the_vendors_message(cheeyuan):
    cheeyuan.refuse("字数超出限制")

    with pytest.raises(ProviderRefused) as refusal:
        client().submit(text="文本", tool="78")

    assert refusal.value.message == "字数超出限制"


def test_a_done_task_without_result_text_is_still_processing(cheeyuan):
    task_id = client().submit(text="文本", tool="78")
    cheeyuan.complete(task_id, "")

    assert client().fetch(task_id=task_id).status == "processing"


def test_states_carry_the_vendors_times(cheeyuan):
    task_id = client().submit(text="文本", tool="78")
    cheeyuan.complete(task_id, "改写后的文本")

    state = client().fetch(task_id=task_id)

    assert state.details == {
        "created_at": "2025-11-03 14:04:04",
        "updated_at": "2025-11-03 14:04:16",
    }


def test_an_unreachable_vendor_is_unavailable_and_certainly_created_nothing(settings):
    settings.CHEEYUAN_API_URL = closed_port_url()
    settings.CHEEYUAN_LOGIN_ACCOUNT, settings.CHEEYUAN_LOGIN_PASSWORD = "ops", "secret"

    with pytest.raises(ProviderUnavailable) as outage:
        client().submit(text="文本", tool="78")

    assert outage.value.task_may_exist is False


@pytest.mark.parametrize(
    ("task", "expected"),
    [
        ({"deal_status": 0, "resulttext": ""}, ("processing", None, None)),
        ({"deal_status": 1, "resulttext": "文"}, ("completed", 100, "文")),
        ({"deal_status": 1, "resulttext": ""}, ("processing", None, None)),
        ({"deal_status": 1, "resulttext": None}, ("processing", None, None)),
        ({"deal_status": 2, "resulttext": ""}, ("failed", None, None)),
        ({"deal_status": 3}, ("processing", None, None)),
        ({}, ("processing", None, None)),
    ],
)
def test_deal_status(task, expected):
    state = task_state(task)

    assert (state.status, state.progress, state.result) == expected
