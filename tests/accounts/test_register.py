"""1.2 POST /api/auth/register."""

import uuid
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import Role, User, VerificationCode
from accounts.serializers import RegisterSerializer
from tests.accounts.helpers import REGISTER, USER_KEYS, register, request_code
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_register_creates_an_active_user(api_client):
    code = request_code(api_client, "new@example.com")

    response = register(api_client, "new@example.com", code)

    assert response.status_code == 201
    body = response.json()
    assert set(body) == USER_KEYS
    user = User.objects.get()
    assert body["id"] == str(user.uuid)
    assert uuid.UUID(body["id"])
    assert body["email"] == "new@example.com"
    assert body["role"] == "user"
    assert body["is_active"] is True
    assert body["updated_at"] is None
    assert body["full_name"] is None
    assert body["phone_number"] is None
    assert body["avatar_url"] is None
    assert body["bio"] is None
    created_at = datetime.fromisoformat(body["created_at"])
    assert created_at.utcoffset() == timedelta(0)
    assert abs(timezone.now() - created_at) < timedelta(minutes=1)
    assert user.role == Role.USER
    assert user.is_active


def test_password_is_stored_with_argon2id(api_client):
    code = request_code(api_client, "new@example.com")
    register(api_client, "new@example.com", code, password="mypassword123")

    user = User.objects.get()
    assert user.password.startswith("argon2$argon2id$")
    assert "m=19456,t=2,p=1" in user.password
    assert "mypassword123" not in user.password
    assert user.check_password("mypassword123")


def test_email_is_stored_lower_cased(api_client):
    code = request_code(api_client, "New.User@Example.COM")

    response = register(api_client, "New.User@Example.COM", code)

    assert response.status_code == 201
    assert response.json()["email"] == "new.user@example.com"
    assert User.objects.get().email == "new.user@example.com"


def test_registered_user_can_log_in(api_client):
    code = request_code(api_client, "new@example.com")
    register(api_client, "new@example.com", code, password="mypassword123")

    response = api_client.post(
        "/api/auth/login", {"email": "new@example.com", "password": "mypassword123"}, format="json"
    )

    assert response.status_code == 200


def test_wrong_code_is_400(api_client):
    code = request_code(api_client, "new@example.com")

    response = register(api_client, "new@example.com", wrong(code))

    assert response.status_code == 400
    assert response.json() == {"detail": "验证码无效或已过期"}
    assert not User.objects.exists()
    assert VerificationCode.objects.get().failed_attempts == 1


def test_code_without_any_sent_is_400(api_client):
    response = register(api_client, "new@example.com", "123456")

    assert response.status_code == 400
    assert response.json() == {"detail": "验证码无效或已过期"}


def test_code_of_another_address_is_400(api_client):
    code = request_code(api_client, "one@example.com")

    response = register(api_client, "two@example.com", code)

    assert response.status_code == 400
    assert response.json() == {"detail": "验证码无效或已过期"}


def test_code_is_single_use(api_client):
    code = request_code(api_client, "new@example.com")
    assert register(api_client, "new@example.com", code).status_code == 201
    User.objects.all().delete()  # so that only the code can refuse the second try

    response = register(api_client, "new@example.com", code)

    assert response.status_code == 400
    assert response.json() == {"detail": "验证码无效或已过期"}
    assert not User.objects.exists()


def test_expired_code_is_400(api_client):
    code = request_code(api_client, "new@example.com")
    VerificationCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = register(api_client, "new@example.com", code)

    assert response.status_code == 400
    assert response.json() == {"detail": "验证码无效或已过期"}
    assert not User.objects.exists()


def test_code_still_valid_just_before_expiry(api_client):
    code = request_code(api_client, "new@example.com")
    VerificationCode.objects.update(expires_at=timezone.now() + timedelta(seconds=30))

    assert register(api_client, "new@example.com", code).status_code == 201


def test_five_wrong_tries_kill_the_code(api_client):
    code = request_code(api_client, "new@example.com")
    for _ in range(5):
        response = register(api_client, "new@example.com", wrong(code))
        assert response.status_code == 400

    response = register(api_client, "new@example.com", code)

    assert response.status_code == 400
    assert response.json() == {"detail": "验证码无效或已过期"}
    assert not User.objects.exists()


def test_four_wrong_tries_leave_the_code_usable(api_client):
    code = request_code(api_client, "new@example.com")
    for _ in range(4):
        assert register(api_client, "new@example.com", wrong(code)).status_code == 400

    assert register(api_client, "new@example.com", code).status_code == 201


@pytest.mark.parametrize("requested", ["taken@example.com", "TAKEN@Example.com"])
def test_registered_email_is_400_and_keeps_the_code(api_client, requested):
    UserFactory(email="taken@example.com")
    code = request_code(api_client, "taken@example.com")

    response = register(api_client, requested, code)

    assert response.status_code == 400
    assert response.json() == {"detail": "该邮箱已被注册"}
    assert User.objects.count() == 1
    record = VerificationCode.objects.get()
    assert record.failed_attempts == 0
    # The refusal did not use the code up.
    User.objects.all().delete()
    assert register(api_client, "taken@example.com", code).status_code == 201


def test_registered_email_is_400_even_with_a_wrong_code(api_client):
    UserFactory(email="taken@example.com")

    response = register(api_client, "taken@example.com", "000000")

    assert response.status_code == 400
    assert response.json() == {"detail": "该邮箱已被注册"}


@pytest.mark.parametrize(
    ("changes", "detail"),
    [
        ({"password": "short"}, "密码长度至少为8位"),
        ({"password": "1234567"}, "密码长度至少为8位"),
        ({"password": "x" * 129}, "密码长度不能超过128位"),
        ({"email": "not-an-email"}, "邮箱格式不正确"),
        ({"verification_code": "12345"}, "验证码必须是6位数字"),
        ({"verification_code": "1234567"}, "验证码必须是6位数字"),
        ({"verification_code": "abcdef"}, "验证码必须是6位数字"),
        ({"email": ""}, "邮箱不能为空"),
        ({"password": ""}, "密码不能为空"),
        ({"verification_code": ""}, "验证码不能为空"),
    ],
)
def test_invalid_fields_are_422(api_client, changes, detail):
    body = {"email": "new@example.com", "password": "mypassword123", "verification_code": "123456"}

    response = api_client.post(REGISTER, {**body, **changes}, format="json")

    assert response.status_code == 422
    assert response.json() == {"detail": detail}
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("missing", "detail"),
    [
        ("email", "邮箱不能为空"),
        ("password", "密码不能为空"),
        ("verification_code", "验证码不能为空"),
    ],
)
def test_missing_field_is_422(api_client, missing, detail):
    body = {"email": "new@example.com", "password": "mypassword123", "verification_code": "123456"}
    del body[missing]

    response = api_client.post(REGISTER, body, format="json")

    assert response.status_code == 422
    assert response.json() == {"detail": detail}


def test_first_problem_is_reported(api_client):
    response = api_client.post(
        REGISTER, {"email": "bad", "password": "short", "verification_code": "x"}, format="json"
    )

    assert response.status_code == 422
    assert response.json() == {"detail": "邮箱格式不正确"}


def test_password_of_8_and_128_characters_are_accepted(api_client):
    code = request_code(api_client, "a@example.com")
    assert register(api_client, "a@example.com", code, password="x" * 8).status_code == 201
    code = request_code(api_client, "b@example.com")
    assert register(api_client, "b@example.com", code, password="y" * 128).status_code == 201


def test_register_scope_throttle_per_ip(api_client, throttle_rates):
    throttle_rates["register"] = "2/min"
    for _ in range(2):
        assert register(api_client, "new@example.com", "123456").status_code == 400

    response = register(api_client, "new@example.com", "123456")

    assert response.status_code == 429
    retry_after = int(response["Retry-After"])
    assert 1 <= retry_after <= 60
    assert response.json() == {"detail": f"请求过于频繁，请{retry_after}秒后重试"}


ASCII_DIGITS = st.text(alphabet="0123456789", min_size=6, max_size=6)
ASCII_TEXT = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126))


def code_errors(code: str) -> list[str]:
    body = {"email": "new@example.com", "password": "mypassword123", "verification_code": code}
    serializer = RegisterSerializer(data=body)
    serializer.is_valid()
    return [str(error) for error in serializer.errors.get("verification_code", [])]


@given(ASCII_DIGITS)
def test_any_six_ascii_digits_are_a_well_formed_code(code):
    assert code_errors(code) == []


@given(ASCII_TEXT.filter(lambda text: not (len(text.strip()) == 6 and text.strip().isdigit())))
def test_anything_else_is_refused_as_a_code(code):
    expected = "验证码不能为空" if not code.strip() else "验证码必须是6位数字"
    assert code_errors(code) == [expected]
