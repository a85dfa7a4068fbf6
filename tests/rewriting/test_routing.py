"""Every row of the routing table, in the table and through the vendor it names."""

import pytest

from rewriting.providers import provider_for
from rewriting.routing import ROUTES, Route, route_for

ROWS = [
    ("zhiwang", "reduce-plagiarism", "reduceai", "onlyjc"),
    ("zhiwang", "reduce-ai-rate", "cheeyuan", "78"),
    ("weipu", "reduce-plagiarism", "reduceai", "onlyjc"),
    ("weipu", "reduce-ai-rate", "reduceai", "onlyai"),
]


@pytest.mark.parametrize(("platform", "task_type", "service", "tool"), ROWS)
def test_each_row(platform, task_type, service, tool):
    assert route_for(platform, task_type) == Route(service=service, tool=tool)


def test_the_table_has_the_documented_rows_only():
    assert len(ROUTES) == len(ROWS)
    with pytest.raises(KeyError):
        route_for("wanfang", "reduce-plagiarism")


@pytest.mark.parametrize(("platform", "task_type", "service", "tool"), ROWS)
def test_each_row_reaches_its_vendor_with_its_tool(
    reduceai, cheeyuan, platform, task_type, service, tool
):
    vendors = {"reduceai": reduceai, "cheeyuan": cheeyuan}
    route = route_for(platform, task_type)

    task_id = provider_for(route.service).submit(text="文本", tool=route.tool)
    vendors[service].complete(task_id, "改写后的文本")

    assert str(vendors[service].tasks[task_id].tool) == tool
    assert provider_for(route.service).fetch(task_id=task_id).result == "改写后的文本"
    other = vendors["cheeyuan" if service == "reduceai" else "reduceai"]
    assert other.submits == 0
