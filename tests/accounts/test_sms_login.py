"""The portal's SMS (v2.1): a code for any mainland mobile; it signs in (a new number becomes a
new account), binds or changes the login phone. The login phone is the rewriting service's too."""

import pytest
from django.core.cache import cache

from accounts.models import User
from accounts.services import application_key_create
from accounts.services.phones import user_for_new_phone
from tests.accounts.helpers import AUTH_ME, USER_KEYS
from tests.factories import UserFactory
from tests.rewriting_accounts.helpers import (
    LOGIN as REWRITING_LOGIN,
)
from tests.rewriting_accounts.helpers import (
    MEMBER_PHONE,
    bearer,
    point_sms_at_closed_port,
    post,
)

pytestmark = pytest.mark.django_db

SEND_SMS_CODE = "/api/auth/send-sms-code"
LOGIN_BY_SMS = "/api/auth/login-by-sms"
BIND_PHONE = "/api/auth/bind-phone"
CHANGE_PHONE = "/api/auth/change-phone"
NEW = "13900139000"
NEW_E164 = "+8613900139000"
MEMBER = MEMBER_PHONE.removeprefix("+86")
CODE_REFUSED = "短信验证码无效或已过期"
PHONE_TAKEN = "该手机号已被其他账号绑定"


@pytest.fixture
def member(db) -> User:
    """A rewriting customer, whose login phone the rewriting sign-up proved."""
    return UserFactory(username="alice", email_verified_at=None, phone=MEMBER_PHONE)


@pytest.fixture
def portal_code(api_client, sms_codes):
    """Ask send-sms-code for a code to an 11-digit number; the code texted."""

    def send(number: str) -> str:
        cache.delete(f"vc:cooldown:sms:portal:+86{number}")  # a test's next code comes at once
        response = post(api_client, SEND_SMS_CODE, {"phone_number": number})
        assert response.status_code == 200, response.content
        return sms_codes(f"+86{number}")

    return send


def sms_login(client, number: str, code: str):
    return post(client, LOGIN_BY_SMS, {"phone_number": number, "verification_code": code})


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


# --- send-sms-code -------------------------------------------------------------------------------


def test_a_code_is_texted_to_any_number_valid_for_ten_minutes(api_client, caplog, sms_codes):
    response = post(api_client, SEND_SMS_CODE, {"phone_number": NEW})

    assert response.status_code == 200
    assert response.json() == {"message": "短信验证码已发送", "phone_number": NEW}
    assert len(sms_codes(NEW_E164)) == 6
    assert "10分钟内有效" in caplog.records[-1].getMessage()


@pytest.mark.parametrize(
    "number", ["1390013900", "139001390001", "23900139000", "+8613900139000", "abc", ""]
)
def test_anything_but_an_eleven_digit_mobile_is_a_422(api_client, number):
    response = post(api_client, SEND_SMS_CODE, {"phone_number": number})

    assert response.status_code == 422
    assert "手机号" in response.json()["detail"]


def test_a_second_code_within_a_minute_is_a_429(api_client):
    assert post(api_client, SEND_SMS_CODE, {"phone_number": NEW}).status_code == 200

    again = post(api_client, SEND_SMS_CODE, {"phone_number": NEW})

    assert again.status_code == 429
    assert again.json()["detail"].startswith("验证码发送过于频繁")
    assert 1 <= int(again["Retry-After"]) <= 60


def test_a_provider_failure_is_a_500_and_blocks_no_retry(api_client, settings):
    point_sms_at_closed_port(settings)

    failed = post(api_client, SEND_SMS_CODE, {"phone_number": NEW})
    again = post(api_client, SEND_SMS_CODE, {"phone_number": NEW})

    assert (failed.status_code, failed.json()) == (500, {"detail": "短信发送失败"})
    assert again.status_code == 500  # not 429: the failed send left no cooldown behind


# --- login-by-sms --------------------------------------------------------------------------------


def test_a_new_number_signs_in_as_a_new_account_with_an_unproven_placeholder(
    api_client, portal_code, settings
):
    response = sms_login(api_client, NEW, portal_code(NEW))

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "user"}
    assert (body["token_type"], body["expires_in"]) == ("bearer", 1800)
    assert set(body["user"]) == USER_KEYS
    user = User.objects.get(phone=NEW_E164)
    assert body["user"]["id"] == str(user.uuid)
    assert body["user"]["email"] == f"user{NEW}@{settings.PLACEHOLDER_EMAIL_DOMAIN}"
    assert (body["user"]["email_verified"], body["user"]["phone"]) == (False, NEW_E164)
    assert not user.has_usable_password()
    me = api_client.get(AUTH_ME, **bearer(body["access_token"]))
    assert me.status_code == 200  # the proven phone opens the portal
    assert me.json()["id"] == str(user.uuid)


def test_the_same_number_signs_in_to_the_same_account_again(api_client, portal_code):
    first = sms_login(api_client, NEW, portal_code(NEW)).json()["user"]["id"]

    second = sms_login(api_client, NEW, portal_code(NEW)).json()["user"]["id"]

    assert first == second
    assert User.objects.filter(phone=NEW_E164).count() == 1


def test_a_rewriting_customers_number_signs_in_to_their_account(api_client, member, portal_code):
    response = sms_login(api_client, MEMBER, portal_code(MEMBER))

    assert response.status_code == 200
    assert response.json()["user"]["id"] == str(member.uuid)
    assert User.objects.count() == 1


def test_a_wrong_or_used_code_is_a_400_and_makes_no_account(api_client, portal_code):
    code = portal_code(NEW)

    wrong_try = sms_login(api_client, NEW, wrong(code))
    right = sms_login(api_client, NEW, code)
    reused = sms_login(api_client, NEW, code)

    assert (wrong_try.status_code, wrong_try.json()) == (400, {"detail": CODE_REFUSED})
    assert right.status_code == 200
    assert (reused.status_code, reused.json()) == (400, {"detail": CODE_REFUSED})


def test_a_code_for_another_number_does_not_sign_in(api_client, portal_code):
    code = portal_code(NEW)

    response = sms_login(api_client, "13700137000", code)

    assert response.status_code == 400
    assert not User.objects.exists()


def test_a_disabled_account_is_a_403(api_client, portal_code):
    UserFactory(phone=NEW_E164, is_active=False)

    response = sms_login(api_client, NEW, portal_code(NEW))

    assert (response.status_code, response.json()) == (403, {"detail": "账号已被禁用"})


def test_wrong_codes_count_towards_the_one_lockout(api_client, member, portal_code, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    code = portal_code(MEMBER)
    for _ in range(2):
        assert sms_login(api_client, MEMBER, wrong(code)).status_code == 400
    # The password login's failures count too: the third failure locks the account.
    password = post(api_client, REWRITING_LOGIN, {"username": "alice", "password": "nope-nope"})

    locked = sms_login(api_client, MEMBER, portal_code(MEMBER))

    assert password.status_code == 401
    assert locked.status_code == 429
    assert locked.json() == {"detail": "登录失败次数过多，请稍后再试"}


def test_a_sign_in_that_finds_the_numbers_account_made_meanwhile_gets_it(db):
    first = user_for_new_phone(phone=NEW_E164)
    second = user_for_new_phone(phone=NEW_E164)

    assert first.pk == second.pk
    assert User.objects.filter(phone=NEW_E164).count() == 1


def test_a_taken_placeholder_address_gives_the_new_account_another(settings):
    squatter = UserFactory(email=f"user{NEW}@{settings.PLACEHOLDER_EMAIL_DOMAIN}")

    user = user_for_new_phone(phone=NEW_E164)

    assert user.pk != squatter.pk
    assert user.email.endswith(f"@{settings.PLACEHOLDER_EMAIL_DOMAIN}")
    assert user.phone == NEW_E164


# --- bind-phone and change-phone -----------------------------------------------------------------


def bind(client, token: str, number: str, code: str):
    body = {"phone_number": number, "verification_code": code}
    return post(client, BIND_PHONE, body, **bearer(token))


def change(client, token: str, number: str, code: str):
    body = {"new_phone_number": number, "verification_code": code}
    return post(client, CHANGE_PHONE, body, **bearer(token))


def test_a_bound_number_signs_in_to_the_rewriting_service(
    api_client, user, make_token, portal_code, sms_codes
):
    response = bind(api_client, make_token(user), NEW, portal_code(NEW))

    assert response.status_code == 200, response.content
    assert response.json() == {"message": "手机号绑定成功", "phone_number": NEW}
    assert post(api_client, "/otp", {"phone": NEW, "purpose": "login"}).status_code == 200
    login = post(
        api_client, REWRITING_LOGIN, {"phone": NEW, "verification_code": sms_codes(NEW_E164)}
    )
    assert login.status_code == 200
    assert login.json()["data"]["user"]["id"] == str(user.uuid)


def test_binding_a_second_number_is_refused(api_client, member, make_token, portal_code):
    response = bind(api_client, make_token(member), NEW, portal_code(NEW))

    assert response.status_code == 400
    assert response.json() == {"detail": "当前账号已绑定手机号，如需更换请使用更换手机号"}


def test_someone_elses_number_is_refused_and_the_code_kept(
    api_client, user, member, make_token, portal_code
):
    code = portal_code(MEMBER)

    response = bind(api_client, make_token(user), MEMBER, code)

    assert (response.status_code, response.json()) == (400, {"detail": PHONE_TAKEN})
    assert sms_login(api_client, MEMBER, code).json()["user"]["id"] == str(member.uuid)


def test_a_wrong_code_binds_nothing(api_client, user, make_token, portal_code):
    code = portal_code(NEW)

    response = bind(api_client, make_token(user), NEW, wrong(code))

    assert (response.status_code, response.json()) == (400, {"detail": CODE_REFUSED})
    user.refresh_from_db()
    assert user.phone is None


def test_binding_needs_a_sign_in(api_client):
    response = post(api_client, BIND_PHONE, {"phone_number": NEW, "verification_code": "123456"})

    assert response.status_code == 401


def test_a_changed_number_moves_the_sign_in_to_the_new_one(
    api_client, member, make_token, portal_code
):
    response = change(api_client, make_token(member), NEW, portal_code(NEW))

    assert response.status_code == 200, response.content
    assert response.json() == {"message": "手机号码修改成功", "phone_number": NEW}
    member.refresh_from_db()
    assert member.phone == NEW_E164
    old = post(api_client, "/otp", {"phone": MEMBER, "purpose": "login"})
    assert old.status_code == 404  # the old number is nobody's now
    assert sms_login(api_client, NEW, portal_code(NEW)).json()["user"]["id"] == str(member.uuid)


def test_changing_to_the_same_number_is_refused(api_client, member, make_token, portal_code):
    response = change(api_client, make_token(member), MEMBER, portal_code(MEMBER))

    assert response.json() == {"detail": "新手机号与当前手机号相同"}
    assert response.status_code == 400


def test_changing_to_someone_elses_number_is_refused(
    api_client, user, member, make_token, portal_code
):
    user_phone = "+8613700137000"
    user.phone = user_phone
    user.save()

    response = change(api_client, make_token(user), MEMBER, portal_code(MEMBER))

    assert (response.status_code, response.json()) == (400, {"detail": PHONE_TAKEN})
    user.refresh_from_db()
    assert user.phone == user_phone


def test_the_change_wants_the_new_numbers_field(api_client, member, make_token):
    body = {"phone_number": NEW, "verification_code": "123456"}

    response = post(api_client, CHANGE_PHONE, body, **bearer(make_token(member)))

    assert response.status_code == 422
    assert response.json() == {"detail": "新手机号不能为空"}


def test_the_phone_routes_are_throttled_per_user(
    api_client, user, make_token, throttle_rates, portal_code
):
    throttle_rates["account"] = "2/min"
    token = make_token(user)
    answers = [bind(api_client, token, NEW, "000000").status_code for _ in range(3)]

    assert answers == [400, 400, 429]


def test_a_number_proven_at_the_rewriting_sign_up_signs_in_to_the_portal(
    api_client, portal_code, sms_codes
):
    assert post(api_client, "/otp", {"phone": NEW, "purpose": "signup"}).status_code == 200
    body = {
        "username": "newbie",
        "email": "newbie@example.com",
        "password": "secret123",
        "phone": NEW,
        "verification_code": sms_codes(NEW_E164),
    }
    registered = post(api_client, "/user/register", body).json()["data"]

    response = sms_login(api_client, NEW, portal_code(NEW))

    assert response.status_code == 200
    assert response.json()["user"]["email"] == "newbie@example.com"
    assert User.objects.get(uuid=response.json()["user"]["id"]).pk == registered["id"]
    me = api_client.get(AUTH_ME, **bearer(response.json()["access_token"]))
    assert me.status_code == 200  # its address is unproven, its phone is not


def test_an_application_key_cannot_bind_or_change_the_phone(api_client, user, portal_code):
    key = application_key_create(owner=user, can_write=True).key
    code = portal_code(NEW)

    bound = bind(api_client, key, NEW, code)
    changed = change(api_client, key, NEW, code)

    assert (bound.status_code, changed.status_code) == (403, 403)
    assert bound.json() == {"detail": "此操作需要登录，不能使用应用密钥"}
    user.refresh_from_db()
    assert user.phone is None
