"""Two app processes on two ports, sharing PostgreSQL and Redis as production runs them: what one
process learns (a session ended, a code sent, the vendor's login) holds in the other."""

import re
from dataclasses import dataclass

import pytest

from tests.factories import DEFAULT_PASSWORD
from tests.live.answers import envelope_data, envelope_error, portal_body, portal_error
from tests.live.processes import AppServer, RedisServer
from tests.live.servers import app_servers, redis_server
from tests.live.vendors import SUBMIT_PATH, serving_vendors, task_body
from tests.rewriting.fake_vendors import FakeVendor
from tests.rewriting.helpers import funded_user

pytestmark = pytest.mark.django_db(transaction=True)  # the servers see only committed rows

SEND_CODE = "/api/auth/send-code"
COOLDOWN = re.compile(r"验证码发送过于频繁，请(\d+)秒后重试")
CAP_REACHED = "验证码发送次数过多，请稍后再试"
CAP_PER_IP = 3


@dataclass
class Pair:
    a: AppServer
    b: AppServer
    cache: RedisServer
    vendors: dict[str, FakeVendor]


@pytest.fixture(scope="module")
def pair(tmp_path_factory, live_database_url):
    workdir = tmp_path_factory.mktemp("multiprocess")
    with (
        serving_vendors() as (vendors, vendor_settings),
        redis_server(workdir) as cache,
        app_servers(
            ["A", "B"],
            workdir=workdir,
            database_url=live_database_url,
            cache_url=cache.url,
            VERIFICATION_HOURLY_CAP_PER_IP=str(CAP_PER_IP),
            **vendor_settings,
        ) as (a, b),
    ):
        yield Pair(a=a, b=b, cache=cache, vendors=vendors)


@pytest.fixture(autouse=True)
def _empty_cache(pair) -> None:
    """Each test starts without cooldowns, counts or vendor logins (the servers' Redis only)."""
    pair.cache.flush()


# --- sessions -------------------------------------------------------------------------------------


def test_a_session_ended_through_one_process_is_refused_by_the_other(pair, user):
    login = envelope_data(
        pair.a.post("/user/login", {"username": user.email, "password": DEFAULT_PASSWORD})
    )
    access, refresh = login["session"]["access_token"], login["session"]["refresh_token"]
    portal_body(pair.b.get("/api/auth/me", token=access), 200)

    logout = pair.a.post("/user/logout", token=access, headers={"Refresh-Token": refresh})

    assert envelope_data(logout) is None
    assert portal_error(pair.b.get("/api/auth/me", token=access), 401) == "无效的认证凭据"
    assert envelope_error(pair.b.get("/points/balance", token=access), 401) == "访问令牌无效"
    refreshed = pair.b.post("/user/refresh", {"refresh_token": refresh})
    assert envelope_error(refreshed, 401) == "刷新令牌无效或已过期"


def test_a_password_changed_through_one_process_ends_every_session_on_the_other(
    pair, user, make_token
):
    tokens = [make_token(user), make_token(user)]
    change = {"old_password": DEFAULT_PASSWORD, "new_password": "another-password-456"}

    portal_body(pair.a.post("/api/users/me/change-password", change, token=tokens[0]), 200)

    for token in tokens:
        assert portal_error(pair.b.get("/api/auth/me", token=token), 401) == "无效的认证凭据"


# --- verification codes ---------------------------------------------------------------------------


def test_an_email_code_sent_through_one_process_holds_off_a_resend_through_the_other(pair):
    portal_body(pair.a.post(SEND_CODE, {"email": "new@example.com"}), 200)

    refused = pair.b.post(SEND_CODE, {"email": "New@Example.com"})

    seconds = COOLDOWN.fullmatch(portal_error(refused, 429)).group(1)
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert int(seconds) == int(refused.headers["Retry-After"])
    portal_body(pair.b.post(SEND_CODE, {"email": "someone-else@example.com"}), 200)


def test_an_sms_code_sent_through_one_process_holds_off_a_resend_through_the_other(pair):
    otp = {"phone": "+8613900139000", "purpose": "signup"}
    assert envelope_data(pair.a.post("/otp", otp)) is None

    refused = pair.b.post("/otp", otp)

    assert COOLDOWN.fullmatch(envelope_error(refused, 429))
    assert 1 <= int(refused.headers["Retry-After"]) <= 60


def test_the_hourly_cap_per_client_address_counts_codes_sent_through_both_processes(pair):
    for server, n in zip([pair.a, pair.b, pair.a], range(CAP_PER_IP), strict=True):
        portal_body(server.post(SEND_CODE, {"email": f"cap{n}@example.com"}), 200)

    refused = pair.b.post(SEND_CODE, {"email": "one-more@example.com"})

    assert portal_error(refused, 429) == CAP_REACHED
    assert int(refused.headers["Retry-After"]) >= 1


# --- the rewriting vendors' login ----------------------------------------------------------------


@pytest.mark.parametrize("service", ["reduceai", "cheeyuan"])
def test_the_vendor_login_is_shared_by_both_processes(pair, make_token, service):
    vendor = pair.vendors[service]
    token = make_token(funded_user(10))
    logins, submits = vendor.logins, vendor.submits

    for server in (pair.a, pair.b, pair.a, pair.b):
        taken = envelope_data(server.post(SUBMIT_PATH, task_body(service), token=token))
        assert taken["service"] == service

    assert vendor.submits - submits == 4
    assert vendor.logins - logins == 1
