"""Small request helpers shared by the accounts tests."""

import re

from django.core import mail

SEND_CODE = "/api/auth/send-code"
REGISTER = "/api/auth/register"
LOGIN = "/api/auth/login"
TOKEN = "/api/auth/token"
AUTH_ME = "/api/auth/me"
USERS_ME = "/api/users/me"
CHANGE_PASSWORD = "/api/users/me/change-password"

NEW_USER_PASSWORD = "mypassword123"

# The documented User object of the portal (1.2, 1.5), and ours: whether the address is proven,
# and the login phone.
USER_KEYS = {
    "id",
    "email",
    "email_verified",
    "phone",
    "role",
    "is_active",
    "created_at",
    "updated_at",
    "full_name",
    "phone_number",
    "avatar_url",
    "bio",
}

CODE_RE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


def last_mailed_code() -> str:
    codes = CODE_RE.findall(mail.outbox[-1].body)
    assert len(codes) == 1, mail.outbox[-1].body
    return codes[0]


def request_code(client, email: str) -> str:
    response = client.post(SEND_CODE, {"email": email}, format="json")
    assert response.status_code == 200, response.content
    return last_mailed_code()


def register(client, email: str, code: str, password: str = NEW_USER_PASSWORD):
    body = {"email": email, "password": password, "verification_code": code}
    return client.post(REGISTER, body, format="json")


def login(client, email: str, password: str, **extra):
    return client.post(LOGIN, {"email": email, "password": password}, format="json", **extra)
