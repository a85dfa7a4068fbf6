"""Section 6.1 of the portal document: POST /api/owa/info, checked by a fake Turnstile."""

import pytest
from django.core import mail

from accounts.models import Role
from contact.models import ContactMessage
from tests.contact.siteverify import FAILING_SECRET, PASSING_SECRET
from tests.factories import UserFactory
from tests.http_servers import closed_port_url

pytestmark = pytest.mark.django_db

URL = "/api/owa/info"
CONTACT_MESSAGE_KEYS = {
    "id",
    "name",
    "email",
    "message",
    "is_processed",
    "admin_notes",
    "created_at",
}
FORM = {
    "name": "张三",
    "email": "user@example.com",
    "message": "我想咨询一下产品价格",
    "turnstileToken": "0.token-one",
}
FAILING_BACKEND = "tests.accounts.failing_email.FailingEmailBackend"


@pytest.fixture
def submit(api_client, django_capture_on_commit_callbacks):
    def post(form: dict | None = None, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return api_client.post(URL, FORM if form is None else form, format="json", **extra)

    return post


def test_submit_stores_the_message_and_answers_201(submit, siteverify):
    response = submit(REMOTE_ADDR="203.0.113.7")

    assert response.status_code == 201
    body = response.json()
    assert set(body) == CONTACT_MESSAGE_KEYS
    assert body | {"id": None, "created_at": None} == {
        "id": None,
        "name": "张三",
        "email": "user@example.com",
        "message": "我想咨询一下产品价格",
        "is_processed": False,
        "admin_notes": None,
        "created_at": None,
    }
    stored = ContactMessage.objects.get(pk=body["id"])
    assert stored.client_ip == "203.0.113.7"
    assert (stored.processed_at, stored.processed_by, stored.updated_at) == (None, None, None)
    assert siteverify.received == [
        {"secret": PASSING_SECRET, "response": "0.token-one", "remoteip": "203.0.113.7"}
    ]


def test_no_token_is_needed_and_a_bad_one_is_ignored(submit, siteverify):
    response = submit(HTTP_AUTHORIZATION="Bearer not-a-token")

    assert response.status_code == 201


def test_the_email_field_takes_any_text(submit, siteverify):
    response = submit(FORM | {"email": "微信：zhangsan123"})

    assert response.status_code == 201
    assert response.json()["email"] == "微信：zhangsan123"


def test_staff_are_mailed_once_each(submit, siteverify, settings):
    UserFactory(email="staff@example.com", role=Role.ADMIN)
    UserFactory(email="boss@example.com", role=Role.ADMIN)
    UserFactory(email="gone@example.com", role=Role.ADMIN, is_active=False)
    UserFactory(email="customer@example.com")
    UserFactory(email="agent@example.com", role=Role.AGENT)
    settings.ADMINS = [("Ops", "ops@example.com"), ("Staff", "Staff@Example.com")]

    submit(REMOTE_ADDR="203.0.113.7")

    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["boss@example.com", "staff@example.com", "ops@example.com"]
    assert sent.subject == "新的联系留言：张三"
    for text in ("张三", "user@example.com", "我想咨询一下产品价格", "203.0.113.7"):
        assert text in sent.body


def test_the_staff_email_is_plain_text_on_one_subject_line(submit, siteverify, settings):
    settings.ADMINS = [("Ops", "ops@example.com")]

    submit(FORM | {"name": "A &\nB", "message": "x < y & z"})

    sent = mail.outbox[0]
    assert sent.subject == "新的联系留言：A & B"
    assert "x < y & z" in sent.body
    assert "&lt;" not in sent.body


def test_without_staff_no_email_is_sent(submit, siteverify):
    UserFactory(email="customer@example.com")

    assert submit().status_code == 201
    assert mail.outbox == []


def test_a_failed_email_keeps_the_message(submit, siteverify, settings, caplog):
    settings.EMAIL_BACKEND = FAILING_BACKEND
    settings.ADMINS = [("Ops", "ops@example.com")]

    response = submit()

    assert response.status_code == 201
    assert ContactMessage.objects.filter(pk=response.json()["id"]).exists()
    assert "failed" in caplog.text


# --- Turnstile refusals and outages ------------------------------------------------------


def test_a_refused_token_is_400_and_stores_nothing(submit, siteverify, settings):
    settings.TURNSTILE_SECRET_KEY = FAILING_SECRET
    settings.ADMINS = [("Ops", "ops@example.com")]

    response = submit()

    assert response.status_code == 400
    assert response.json() == {"detail": "Turnstile验证失败"}
    assert not ContactMessage.objects.exists()
    assert mail.outbox == []


def test_a_reused_token_is_400(submit, siteverify):
    assert submit().status_code == 201

    response = submit(FORM | {"message": "再发一次"})

    assert response.status_code == 400
    assert response.json() == {"detail": "Turnstile验证失败"}
    assert ContactMessage.objects.count() == 1


def test_an_overlong_token_is_400_without_asking_cloudflare(submit, siteverify):
    response = submit(FORM | {"turnstileToken": "x" * 2049})

    assert response.status_code == 400
    assert siteverify.received == []


def test_an_unreachable_turnstile_is_503_and_stores_nothing(submit, settings):
    settings.TURNSTILE_VERIFY_URL = closed_port_url()

    response = submit()

    assert response.status_code == 503
    assert response.json() == {"detail": "人机验证服务暂时不可用，请稍后重试"}
    assert not ContactMessage.objects.exists()


# --- validation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "detail"),
    [
        ("name", "称呼不能为空"),
        ("email", "邮箱不能为空"),
        ("message", "留言内容不能为空"),
        ("turnstileToken", "人机验证令牌不能为空"),
    ],
)
@pytest.mark.parametrize("how", ["missing", "blank", "null"])
def test_each_field_is_required(submit, siteverify, field, detail, how):
    form = {name: value for name, value in FORM.items() if name != field}
    if how != "missing":
        form[field] = "   " if how == "blank" else None

    response = submit(form)

    assert response.status_code == 422
    assert response.json() == {"detail": detail}
    assert siteverify.received == []
    assert not ContactMessage.objects.exists()


@pytest.mark.parametrize(
    ("field", "limit", "detail"),
    [
        ("name", 100, "称呼长度不能超过100个字符"),
        ("email", 254, "邮箱长度不能超过254个字符"),
        ("message", 5000, "留言内容长度不能超过5000个字符"),
    ],
)
def test_too_long_fields_are_422(submit, siteverify, field, limit, detail):
    at_limit = submit(FORM | {field: "字" * limit, "turnstileToken": "at-limit"})
    over = submit(FORM | {field: "字" * (limit + 1), "turnstileToken": "over"})

    assert at_limit.status_code == 201
    assert over.status_code == 422
    assert over.json() == {"detail": detail}
    assert ContactMessage.objects.count() == 1


def test_a_body_that_is_not_json_is_422(api_client, siteverify):
    response = api_client.post(URL, "{not json", content_type="application/json")

    assert response.status_code == 422
    assert response.json() == {"detail": "请求体格式错误，应为 JSON"}
    assert siteverify.received == []


def test_only_post_is_allowed(api_client):
    assert api_client.get(URL).status_code == 405


def test_submissions_are_throttled_per_client_address(submit, siteverify, throttle_rates):
    throttle_rates["contact"] = "2/hour"

    answers = [
        submit(FORM | {"turnstileToken": f"token-{n}"}, REMOTE_ADDR="203.0.113.7").status_code
        for n in range(3)
    ]
    elsewhere = submit(FORM | {"turnstileToken": "token-x"}, REMOTE_ADDR="198.51.100.1")

    assert answers == [201, 201, 429]
    assert elsewhere.status_code == 201
    assert ContactMessage.objects.count() == 3
