"""/api/oauth/clients: a customer's own clients, the secret shown once and kept hashed; and
/api/oauth/authorizations: the clients a customer authorized."""

import pytest
from django.contrib.auth.hashers import check_password
from oauth2_provider.models import AccessToken

from accounts.services import application_key_create
from oidc.models import Client
from tests.factories import UserFactory
from tests.oidc.conftest import REDIRECT_URI
from tests.oidc.flows import token_response, tokens_for, userinfo

pytestmark = pytest.mark.django_db

NEW_CLIENT = {
    "name": "我的应用",
    "redirect_uris": [REDIRECT_URI, "http://127.0.0.1:8080/cb"],
    "grant_types": ["authorization_code", "refresh_token"],
    "scopes": ["openid", "email"],
}


@pytest.fixture
def developer_api(developer, client_for):
    return client_for(developer)


def test_a_new_clients_secret_is_shown_once_and_kept_hashed(developer_api):
    created = developer_api.post("/api/oauth/clients", NEW_CLIENT, format="json")

    assert created.status_code == 201
    body = created.json()
    assert body["name"] == "我的应用"
    assert body["redirect_uris"] == NEW_CLIENT["redirect_uris"]
    assert body["grant_types"] == ["authorization_code", "refresh_token"]
    stored = Client.objects.get(client_id=body["client_id"])
    assert stored.client_secret != body["client_secret"]
    assert check_password(body["client_secret"], stored.client_secret)
    listed = developer_api.get("/api/oauth/clients").json()
    assert [client["client_id"] for client in listed] == [body["client_id"]]
    assert "client_secret" not in listed[0]
    assert (
        "client_secret" not in developer_api.get(f"/api/oauth/clients/{body['client_id']}").json()
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"redirect_uris": ["http://rp.example.com/cb"]}, "回调地址"),
        ({"redirect_uris": ["https://rp.example.com/cb#part"]}, "回调地址"),
        ({"redirect_uris": ["/relative"]}, "回调地址"),
        ({"redirect_uris": []}, "至少一个回调地址"),
        ({"grant_types": ["refresh_token", "client_credentials"]}, "刷新令牌"),
        ({"grant_types": ["password"]}, "grant_types"),
        ({"grant_types": []}, "grant_types"),
        ({"scopes": ["admin"]}, "scopes"),
    ],
)
def test_a_client_is_refused_what_the_provider_does_not_offer(developer_api, change, message):
    answer = developer_api.post("/api/oauth/clients", {**NEW_CLIENT, **change}, format="json")

    assert answer.status_code == 422
    assert message in answer.json()["detail"]


def test_a_rotation_stops_the_old_secret_at_once(issued, developer_api):
    rotated = developer_api.post(f"/api/oauth/clients/{issued.client.client_id}/rotate-secret")

    assert rotated.status_code == 200
    new_secret = rotated.json()["client_secret"]
    assert new_secret != issued.client_secret
    old = token_response(issued, grant_type="client_credentials")
    assert old.status_code == 401
    assert old.json()["error"] == "invalid_client"
    assert token_response(issued, new_secret, grant_type="client_credentials").status_code == 200


def test_deleting_a_client_ends_its_tokens(issued, customer, developer_api):
    tokens = tokens_for(customer, issued)

    deleted = developer_api.delete(f"/api/oauth/clients/{issued.client.client_id}")

    assert deleted.status_code == 204
    assert not Client.objects.filter(pk=issued.client.pk).exists()
    assert userinfo(tokens["access_token"]).status_code == 401


@pytest.mark.parametrize(
    ("method", "suffix"), [("get", ""), ("delete", ""), ("post", "/rotate-secret")]
)
def test_someone_elses_client_is_not_found(issued, client_for, method, suffix):
    stranger = client_for(UserFactory())

    answer = getattr(stranger, method)(f"/api/oauth/clients/{issued.client.client_id}{suffix}")

    assert answer.status_code == 404
    assert answer.json() == {"detail": "OAuth 客户端不存在"}
    assert Client.objects.filter(pk=issued.client.pk).exists()


def test_the_list_shows_ones_own_clients_only_in_two_queries(
    make_client, developer_api, client_for, django_assert_num_queries
):
    for _ in range(3):
        make_client()
    UserFactory()  # someone with none
    client_for(UserFactory())

    with django_assert_num_queries(2):  # the session, the clients
        listed = developer_api.get("/api/oauth/clients")

    assert len(listed.json()) == 3


def test_an_application_key_cannot_make_clients(developer, api_client):
    key = application_key_create(owner=developer, can_write=True).key
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")

    assert api_client.post("/api/oauth/clients", NEW_CLIENT, format="json").status_code == 403


def test_a_customer_sees_and_withdraws_their_authorizations(issued, customer, client_for):
    tokens = tokens_for(customer, issued)
    api = client_for(customer)

    listed = api.get("/api/oauth/authorizations").json()
    withdrawn = api.delete(f"/api/oauth/authorizations/{issued.client.client_id}")

    assert listed == [{"client_id": issued.client.client_id, "name": "示例应用"}]
    assert withdrawn.status_code == 204
    assert not AccessToken.objects.filter(user=customer).exists()
    assert userinfo(tokens["access_token"]).status_code == 401
    assert api.get("/api/oauth/authorizations").json() == []
    assert api.delete(f"/api/oauth/authorizations/{issued.client.client_id}").status_code == 404
