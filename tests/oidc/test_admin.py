"""OAuth clients in the staff console: listed, shown, deleted with their tokens."""

import pytest
from oauth2_provider.models import AccessToken

from oidc.models import Client
from tests.oidc.flows import tokens_for, userinfo

pytestmark = pytest.mark.django_db


def test_staff_see_the_clients_in_chinese(console, issued, developer):
    listed = console.get("/admin/oidc/client/", {"q": developer.email})
    shown = console.get(f"/admin/oidc/client/{issued.client.pk}/change/")

    assert listed.status_code == 200
    assert "示例应用" in listed.content.decode()
    assert "授权码、刷新令牌、客户端凭据" in listed.content.decode()
    assert shown.status_code == 200
    assert "回调地址" in shown.content.decode()
    assert console.get("/admin/oidc/client/add/").status_code == 403


def test_the_toolkits_token_tables_are_not_in_the_console(console):
    assert console.get("/admin/oauth2_provider/accesstoken/").status_code == 404


def test_staff_delete_a_client_and_its_tokens(console, issued, customer):
    tokens = tokens_for(customer, issued)

    answer = console.post(
        "/admin/oidc/client/",
        {"action": "delete_clients", "_selected_action": [issued.client.pk]},
    )

    assert answer.status_code == 302
    assert not Client.objects.exists()
    assert not AccessToken.objects.exists()
    assert userinfo(tokens["access_token"]).status_code == 401
