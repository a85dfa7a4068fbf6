"""GET /api/ and GET /api/health."""

import pytest
from django.db import OperationalError

pytestmark = pytest.mark.django_db


def test_root(api_client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = api_client.get("/api/")

    assert response.status_code == 200
    offers = response.json()
    assert (offers["docs"], offers["schema"], offers["health"]) == (
        "/api/docs/",
        "/api/schema/",
        "/api/health",
    )
    assert offers["portal"]["tickets"] == "门户：工单"
    assert offers["rewriting"]["rewrite"] == "降重服务：整篇文档与段落改写"
    assert api_client.get(offers["docs"]).status_code == 200


def test_health(api_client):
    response = api_client.get("/api/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_health_without_database_is_503(api_client, monkeypatch):
    def unreachable(self, sql, params=None):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr("django.db.backends.utils.CursorWrapper.execute", unreachable)

    response = api_client.get("/api/health")

    assert response.status_code == 503
    assert response.json() == {"detail": "数据库不可用"}


def test_public_scope_throttles_the_root(api_client, throttle_rates):
    throttle_rates["public"] = "2/min"
    for _ in range(2):
        assert api_client.get("/api/").status_code == 200

    response = api_client.get("/api/")

    assert response.status_code == 429
    retry_after = int(response["Retry-After"])
    assert 1 <= retry_after <= 60
    assert response.json() == {"detail": f"请求过于频繁，请{retry_after}秒后重试"}
