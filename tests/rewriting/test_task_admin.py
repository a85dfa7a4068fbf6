"""The staff console's rewriting tasks: a read-only list, and refunds of failed tasks."""

import re

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone

from accounts.models import Role
from csa.errors import ApplicationError
from points.models import PointsTransaction, TransactionType
from rewriting import services
from rewriting.models import RewritingTask, TaskStatus
from tests.factories import UserFactory
from tests.rewriting.helpers import ROUTE_TO, funded_user, points_account

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:rewriting_rewritingtask_changelist"
REFUND_ACTION = "refund_failed_tasks"
TEXT = "降" * 1000  # 3 points


def task_at(vendor, *, owner=None, outcome: str = "processing", text: str = TEXT, route=None):
    """A task taken by `vendor` through the services, then completed or failed there."""
    owner = owner or funded_user(100)
    platform, task_type = route or ROUTE_TO[vendor.service]
    submission = services.rewriting_task_submit(
        user=owner, text=text, platform=platform, task_type=task_type
    )
    task = owner.rewriting_tasks.get(upstream_task_id=submission.upstream_task_id)
    if outcome == "completed":
        vendor.complete(task.upstream_task_id, "改写后的文本")
    elif outcome == "failed":
        vendor.fail(task.upstream_task_id)
    if outcome != "processing":
        task = services.rewriting_task_poll(task_id=task.pk)
    assert task.status == outcome
    return task


def not_accepted_task(vendor, *, owner=None) -> RewritingTask:
    owner = owner or funded_user(100)
    platform, task_type = ROUTE_TO[vendor.service]
    vendor.refuse("余额不足")
    with pytest.raises(ApplicationError):
        services.rewriting_task_submit(
            user=owner, text=TEXT, platform=platform, task_type=task_type
        )
    vendor.refusal = None
    return owner.rewriting_tasks.get(status=TaskStatus.NOT_ACCEPTED)


def change_url(task: RewritingTask) -> str:
    return reverse("admin:rewriting_rewritingtask_change", args=[task.pk])


def listed(console: Client, **query) -> str:
    response = console.get(reverse(CHANGELIST), query)
    assert response.status_code == 200
    return response.content.decode()


def listed_ids(page: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'name="_selected_action" value="(\d+)"', page)}


def row_of(page: str, task: RewritingTask) -> str:
    """The changelist's table row of `task`."""
    rows = re.findall(r"<tr>.*?</tr>", page, flags=re.S)
    [row] = [row for row in rows if f'name="_selected_action" value="{task.pk}"' in row]
    return row


def shown_time(moment) -> str:
    return formats.localize(timezone.template_localtime(moment))


def run_refund(console: Client, *tasks: RewritingTask):
    """The refund action on `tasks`; the console's messages as (level, text)."""
    response = console.post(
        reverse(CHANGELIST),
        {"action": REFUND_ACTION, "_selected_action": [str(task.pk) for task in tasks]},
    )
    assert response.status_code == 302
    return [(message.level_tag, message.message) for message in get_messages(response.wsgi_request)]


def refunds_of(task: RewritingTask):
    return PointsTransaction.objects.filter(
        transaction_type=TransactionType.REFUND, refund_of=task.spend_id
    )


# --- the list --------------------------------------------------------------------------------


def test_the_list_names_its_columns(console, reduceai):
    task_at(reduceai)

    page = listed(console)

    for heading in ("用户", "任务", "上游服务", "状态", "积分消耗", "提交时间", "结束时间"):
        assert re.search(rf'<div class="text">(<a [^>]*>|<span>){heading}</', page), heading


def test_a_row_shows_owner_label_service_status_cost_and_times(console, reduceai):
    owner = funded_user(100, email="writer@example.com")
    task = task_at(reduceai, owner=owner, outcome="completed")

    row = row_of(listed(console), task)

    for text in ("writer@example.com", "降重（知网版）", "REDUCEAI", "已完成", "3.000"):
        assert text in row, text
    assert shown_time(task.created_at) in row
    assert shown_time(task.finished_at) in row


def test_a_cheeyuan_row_names_its_service_and_task(console, cheeyuan):
    task = task_at(cheeyuan)

    row = row_of(listed(console), task)

    for text in ("降AI率（知网版）", "CHEEYUAN", "处理中"):
        assert text in row, text


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ({"status__exact": "failed"}, "failed"),
        ({"status__exact": "completed"}, "completed"),
        ({"service__exact": "cheeyuan"}, "cheeyuan"),
        ({"task_type__exact": "reduce-ai-rate"}, "cheeyuan"),
        ({"platform__exact": "weipu"}, "weipu"),
    ],
)
def test_the_list_filters(console, reduceai, cheeyuan, query, shown):
    tasks = {
        "failed": task_at(reduceai, outcome="failed"),
        "completed": task_at(reduceai, outcome="completed"),
        "cheeyuan": task_at(cheeyuan),
        "weipu": task_at(reduceai, route=("weipu", "reduce-plagiarism")),
    }

    assert listed_ids(listed(console, **query)) == {tasks[shown].pk}


def test_the_list_searches_by_owner_email_username_and_vendor_task_id(console, reduceai):
    alice = task_at(reduceai, owner=funded_user(100, email="alice@corp.example", username="艾丽斯"))
    bob = task_at(reduceai, owner=funded_user(100, email="bob@corp.example", username="bob_w"))

    assert listed_ids(listed(console, q="ALICE@")) == {alice.pk}
    assert listed_ids(listed(console, q="bob_w")) == {bob.pk}
    assert listed_ids(listed(console, q=bob.upstream_task_id)) == {bob.pk}


def test_the_list_shows_tasks_the_vendor_did_not_accept(console, reduceai):
    task = not_accepted_task(reduceai)

    assert "未受理" in row_of(listed(console), task)


@pytest.mark.parametrize("query", [{}, {"q": "example"}, {"status__exact": "failed"}])
def test_the_list_queries_do_not_grow_with_rows(
    console, reduceai, cheeyuan, django_assert_max_num_queries, query
):
    for outcome in ("processing", "completed", "failed"):
        task_at(reduceai, outcome=outcome)
    with django_assert_max_num_queries(100) as few:
        listed(console, **query)

    refunded = task_at(reduceai, outcome="failed")
    services.rewriting_task_refund(task=refunded)
    task_at(reduceai, outcome="failed")
    task_at(cheeyuan, outcome="completed")
    not_accepted_task(reduceai)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = listed(console, **query)

    assert len(listed_ids(page)) == (3 if query.get("status__exact") else 7)


# --- a task's page ---------------------------------------------------------------------------


def test_a_tasks_page_shows_its_fields_as_text(console, reduceai):
    task = task_at(reduceai, outcome="completed")

    response = console.get(change_url(task))

    assert response.status_code == 200
    page = response.content.decode()
    for text in (task.upstream_task_id, "改写后的文本", "降" * 50, "已完成", "3.000"):
        assert text in page, text
    fields = re.findall(r'<(?:input|textarea|select)\b[^>]*\bname="([^"]+)"', page)
    assert set(fields) - {"csrfmiddlewaretoken", "_save", "_continue"} == set()


def test_a_tasks_page_offers_no_save(console, reduceai):
    task = task_at(reduceai)

    page = console.get(change_url(task)).content.decode()

    assert 'name="_save"' not in page
    assert 'name="_continue"' not in page


def test_a_tasks_page_links_its_spend(console, reduceai):
    task = task_at(reduceai)

    page = console.get(change_url(task)).content.decode()

    spend_url = reverse("admin:points_pointstransaction_change", args=[task.spend_id])
    assert f'<a href="{spend_url}">#{task.spend_id}</a>' in page


def test_posting_a_tasks_page_writes_nothing(console, reduceai):
    task = task_at(reduceai)

    console.post(
        change_url(task), {"_save": "保存", "text": "改", "status": "completed", "cost": "0"}
    )

    stored = RewritingTask.objects.get(pk=task.pk)
    assert (stored.text, stored.status, stored.cost) == (TEXT, TaskStatus.PROCESSING, 3)
    assert stored.updated_at == task.updated_at
    assert not LogEntry.objects.filter(object_id=str(task.pk), action_flag=CHANGE).exists()


def test_staff_cannot_add_or_delete_tasks(console, reduceai):
    task = task_at(reduceai)

    assert console.get(reverse("admin:rewriting_rewritingtask_add")).status_code == 403
    assert (
        console.get(reverse("admin:rewriting_rewritingtask_delete", args=[task.pk])).status_code
        == 403
    )
    assert 'value="delete_selected"' not in listed(console)


# --- refunds ---------------------------------------------------------------------------------


def test_the_refund_action_gives_a_failed_tasks_points_back(console, reduceai):
    owner = funded_user(10)
    task = task_at(reduceai, owner=owner, outcome="failed")

    messages = run_refund(console, task)

    assert messages == [("success", "已返还 1 个任务的积分")]
    assert list(refunds_of(task).values_list("amount", flat=True)) == [3]
    assert points_account(owner).balance == 10


def test_a_refunded_task_is_marked_in_the_list(console, reduceai):
    task = task_at(reduceai, outcome="failed")
    before = row_of(listed(console), task)

    run_refund(console, task)

    assert "未返还" in before
    assert "已返还" in row_of(listed(console), task)


def test_a_refund_and_a_cost_show_only_where_they_apply(console, reduceai):
    completed = task_at(reduceai, outcome="completed")
    refused = not_accepted_task(reduceai)

    page = listed(console)

    assert "—" in row_of(page, completed) and "?" not in row_of(page, completed)
    assert "icon-unknown" not in page
    assert "3.000" not in row_of(page, refused)  # its hold went back: it cost nothing


def test_a_failed_tasks_page_has_a_refund_button(console, reduceai):
    owner = funded_user(10)
    task = task_at(reduceai, owner=owner, outcome="failed")
    page = console.get(change_url(task)).content.decode()
    action = reverse("admin:rewriting_rewritingtask_refund", args=[task.pk])
    assert f'action="{action}"' in page

    response = console.post(action)

    assert response.status_code == 302
    assert list(refunds_of(task).values_list("amount", flat=True)) == [3]
    assert points_account(owner).balance == 10
    assert f'action="{action}"' not in console.get(change_url(task)).content.decode()


def test_a_completed_tasks_page_has_no_refund_button(console, reduceai):
    task = task_at(reduceai, outcome="completed")
    page = console.get(change_url(task)).content.decode()
    assert "返还积分</button>" not in page
    assert (
        console.post(reverse("admin:rewriting_rewritingtask_refund", args=[task.pk])).status_code
        == 302
    )


def test_a_second_refund_is_refused_with_the_ledgers_message(console, reduceai):
    owner = funded_user(10)
    task = task_at(reduceai, owner=owner, outcome="failed")
    run_refund(console, task)

    messages = run_refund(console, task)

    assert ("error", f"任务 #{task.pk}：该交易已返还积分，请勿重复操作") in messages
    assert refunds_of(task).count() == 1
    assert points_account(owner).balance == 10


def test_a_completed_tasks_refund_is_refused(console, reduceai):
    owner = funded_user(10)
    task = task_at(reduceai, owner=owner, outcome="completed")

    messages = run_refund(console, task)

    assert ("error", f"任务 #{task.pk}：成功交易无需返还") in messages
    assert refunds_of(task).count() == 0
    assert points_account(owner).balance == 7


def test_a_task_the_vendor_did_not_accept_has_nothing_to_refund(console, reduceai):
    task = not_accepted_task(reduceai)

    messages = run_refund(console, task)

    assert ("error", f"任务 #{task.pk}：该任务没有消费记录，无需返还") in messages
    assert PointsTransaction.objects.filter(transaction_type=TransactionType.REFUND).count() == 0


def test_the_refund_action_refunds_the_failed_among_a_mixed_selection(console, reduceai):
    failed = task_at(reduceai, outcome="failed")
    completed = task_at(reduceai, outcome="completed")

    messages = run_refund(console, failed, completed)

    assert ("success", "已返还 1 个任务的积分") in messages
    assert ("error", f"任务 #{completed.pk}：成功交易无需返还") in messages
    assert (refunds_of(failed).count(), refunds_of(completed).count()) == (1, 0)


# --- who may see it --------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.USER, Role.AGENT])
def test_only_staff_open_the_task_console(role, reduceai):
    task = task_at(reduceai)
    client = Client()
    client.force_login(UserFactory(role=role))

    for url in (reverse(CHANGELIST), change_url(task)):
        response = client.get(url)

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_someone_not_staff_cannot_run_the_refund(reduceai):
    owner = funded_user(10)
    task = task_at(reduceai, owner=owner, outcome="failed")
    client = Client()
    client.force_login(owner)

    client.post(reverse(CHANGELIST), {"action": REFUND_ACTION, "_selected_action": [task.pk]})

    assert refunds_of(task).count() == 0
