"""3. Business accounts: the customer's API (3.1–3.4), the services, the database's rules."""

from datetime import datetime

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from accounts import services
from accounts.models import BusinessAccount, BusinessAccountStatus, Role
from accounts.selectors import business_account_get
from csa.errors import ApplicationError, ForbiddenError, NotFoundError
from tests.accounts.business_factories import BusinessAccountFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ME = "/api/business-accounts/me"
APPLY = "/api/business-accounts/me/apply"

ACCOUNT_KEYS = {
    "id",
    "owner_email",
    "status",
    "assigned_email",
    "user_code",
    "company_name",
    "tax_number",
    "certification_info",
    "communication_address",
    "contact_person_name",
    "contact_phone",
    "created_at",
    "updated_at",
}

APPLICATION = {
    "company_name": "示例公司",
    "tax_number": "91110000MA01234567",
    "certification_info": "营业执照等认证信息",
    "communication_address": "北京市朝阳区xxx",
    "contact_person_name": "张三",
    "contact_phone": "+86-13800000000",
}

# field, label, documented maximum length
FIELD_LIMITS = [
    ("company_name", "公司抬头", 128),
    ("tax_number", "税号", 64),
    ("certification_info", "认证信息", 512),
    ("communication_address", "通信地址", 256),
    ("contact_person_name", "联系人姓名", 64),
    ("contact_phone", "联系方式", 32),
]

STAFF_ONLY = {"assigned_email": "me@evil.com", "user_code": "HACK", "status": "active"}

# Names no row; fixed, so that every pytest-xdist worker collects the same tests.
NO_SUCH_ID = "3f2b8c1e-9d4a-4b7e-a1c2-5e6f7a8b9c0d"


def detail_url(account_id) -> str:
    return f"/api/business-accounts/{account_id}"


def history(account: BusinessAccount) -> set[tuple]:
    return {
        (change.actor_id, change.field, change.old_value, change.new_value)
        for change in account.changes.all()
    }


@pytest.fixture
def staff():
    return UserFactory(role=Role.ADMIN)


# --- 3.1 GET /api/business-accounts/me -----------------------------------------------------


def test_me_returns_the_documented_object(auth_client, user):
    account = BusinessAccountFactory(owner=user, active=True, **APPLICATION)

    response = auth_client.get(ME)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == ACCOUNT_KEYS
    assert body["id"] == str(account.id)
    assert body["owner_email"] == user.email
    assert body["status"] == "active"
    assert body["assigned_email"] == account.assigned_email
    assert body["user_code"] == account.user_code
    assert {name: body[name] for name in APPLICATION} == APPLICATION
    assert datetime.fromisoformat(body["created_at"]) == account.created_at
    assert body["updated_at"] is None


def test_me_is_the_token_owners_account(api_client, make_token, auth_header):
    mine, theirs = BusinessAccountFactory(), BusinessAccountFactory()

    for account in (mine, theirs):
        response = api_client.get(ME, **auth_header(make_token(account.owner)))
        assert response.json()["id"] == str(account.id)


def test_me_without_an_account_is_404(auth_client):
    BusinessAccountFactory()  # someone else's

    response = auth_client.get(ME)

    assert response.status_code == 404
    assert response.json() == {"detail": "业务账号不存在"}


@pytest.mark.parametrize(
    ("method", "url"),
    [("get", ME), ("patch", ME), ("post", APPLY), ("get", detail_url(NO_SUCH_ID))],
)
def test_without_token_is_401(api_client, method, url):
    response = getattr(api_client, method)(url, {}, format="json")

    assert response.status_code == 401
    assert response.json() == {"detail": "未提供认证凭据"}


def test_me_takes_two_queries(auth_client, user, django_assert_num_queries):
    BusinessAccountFactory(owner=user, active=True)

    with django_assert_num_queries(2):  # the session with its user, the account with its owner
        response = auth_client.get(ME)

    assert response.status_code == 200


# --- 3.2 POST /api/business-accounts/me/apply ---------------------------------------------


def test_apply_creates_a_pending_account(auth_client, user):
    response = auth_client.post(APPLY, APPLICATION, format="json")

    assert response.status_code == 201
    body = response.json()
    assert set(body) == ACCOUNT_KEYS
    assert body["owner_email"] == user.email
    assert body["status"] == "pending"
    assert body["assigned_email"] is None
    assert body["user_code"] is None
    assert {name: body[name] for name in APPLICATION} == APPLICATION
    assert body["updated_at"] is None
    account = BusinessAccount.objects.get(owner=user)
    assert body["id"] == str(account.id)
    assert datetime.fromisoformat(body["created_at"]) == account.created_at
    assert auth_client.get(ME).json() == body


def test_apply_with_no_fields(auth_client):
    response = auth_client.post(APPLY, {}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "pending"
    assert all(body[name] is None for name in APPLICATION)


def test_apply_stores_blank_fields_as_null(auth_client):
    response = auth_client.post(
        APPLY,
        {"company_name": "  示例公司  ", "tax_number": "   ", "contact_phone": ""},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert body["company_name"] == "示例公司"
    assert body["tax_number"] is None
    assert body["contact_phone"] is None


def test_apply_ignores_staff_fields(auth_client, user):
    response = auth_client.post(APPLY, {**APPLICATION, **STAFF_ONLY}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["assigned_email"], body["user_code"]) == ("pending", None, None)
    account = BusinessAccount.objects.get(owner=user)
    assert (account.status, account.assigned_email, account.user_code) == ("pending", None, None)


@pytest.mark.parametrize("traits", [{}, {"active": True}, {"disabled": True}])
def test_apply_again_is_400_whatever_the_status(auth_client, user, traits):
    existing = BusinessAccountFactory(owner=user, **traits)

    response = auth_client.post(APPLY, APPLICATION, format="json")

    assert response.status_code == 400
    assert response.json() == {"detail": "已存在申请或已激活账号"}
    assert list(BusinessAccount.objects.filter(owner=user)) == [existing]


def test_an_application_that_loses_a_race_is_400(user, monkeypatch):
    """Both requests pass the first check; the database keeps one and the loser is told so."""
    BusinessAccountFactory(owner=user)
    real_filter = BusinessAccount.objects.filter
    calls = []

    def first_check_misses(*args, **kwargs):
        calls.append(kwargs)
        found = real_filter(*args, **kwargs)
        return found.none() if len(calls) == 1 else found

    monkeypatch.setattr(BusinessAccount.objects, "filter", first_check_misses)

    with pytest.raises(ApplicationError) as refused:
        services.business_account_apply(owner=user, fields=APPLICATION)

    assert len(calls) == 2  # the second look came after the database refused the row
    assert refused.value.message == "已存在申请或已激活账号"
    assert refused.value.status_code == 400
    assert real_filter(owner=user).count() == 1


@pytest.mark.parametrize(("field", "label", "limit"), FIELD_LIMITS)
def test_apply_with_a_field_too_long_is_422(auth_client, user, field, label, limit):
    response = auth_client.post(APPLY, {field: "x" * (limit + 1)}, format="json")

    assert response.status_code == 422
    assert response.json() == {"detail": f"{label}长度不能超过{limit}个字符"}
    assert not BusinessAccount.objects.filter(owner=user).exists()


@pytest.mark.parametrize(("field", "label", "limit"), FIELD_LIMITS)
def test_apply_with_fields_at_their_limit(auth_client, field, label, limit):
    response = auth_client.post(APPLY, {field: "x" * limit}, format="json")

    assert response.status_code == 201
    assert response.json()[field] == "x" * limit


def test_apply_with_a_body_that_is_not_json_is_422(auth_client):
    response = auth_client.post(APPLY, "{", content_type="application/json")

    assert response.status_code == 422


# --- 3.3 PATCH /api/business-accounts/me --------------------------------------------------


def test_patch_changes_only_the_named_fields(auth_client, user):
    account = BusinessAccountFactory(owner=user, **APPLICATION)
    changes = {"company_name": "更新后的公司名称", "contact_phone": "+86-13900000000"}

    response = auth_client.patch(ME, changes, format="json")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == ACCOUNT_KEYS
    assert body == {
        **body,
        **APPLICATION,
        **changes,
        "id": str(account.id),
        "status": "pending",
    }
    account.refresh_from_db()
    assert account.company_name == "更新后的公司名称"
    assert account.contact_phone == "+86-13900000000"
    assert account.tax_number == APPLICATION["tax_number"]
    assert datetime.fromisoformat(body["updated_at"]) == account.updated_at
    assert auth_client.get(ME).json() == body


def test_patch_stores_blank_as_null(auth_client, user):
    BusinessAccountFactory(owner=user, **APPLICATION)

    response = auth_client.patch(
        ME, {"company_name": "   ", "tax_number": "", "contact_phone": None}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["company_name"], body["tax_number"], body["contact_phone"]) == (None, None, None)
    assert body["contact_person_name"] == "张三"


def test_patch_trims_text(auth_client, user):
    BusinessAccountFactory(owner=user)

    response = auth_client.patch(ME, {"contact_person_name": "  李四 "}, format="json")

    assert response.json()["contact_person_name"] == "李四"


@pytest.mark.parametrize("traits", [{}, {"active": True}])
def test_patch_ignores_staff_fields(auth_client, user, traits):
    account = BusinessAccountFactory(owner=user, **traits)
    kept = (account.status, account.assigned_email, account.user_code)

    response = auth_client.patch(ME, {"company_name": "新公司", **STAFF_ONLY}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert body["company_name"] == "新公司"
    assert (body["status"], body["assigned_email"], body["user_code"]) == kept
    account.refresh_from_db()
    assert (account.status, account.assigned_email, account.user_code) == kept
    assert {change.field for change in account.changes.all()} == {"company_name"}


@pytest.mark.parametrize("body", [{}, STAFF_ONLY, {"unknown": "x"}])
def test_patch_without_a_known_field_is_400(auth_client, user, body):
    account = BusinessAccountFactory(owner=user)

    response = auth_client.patch(ME, body, format="json")

    assert response.status_code == 400
    assert response.json() == {"detail": "未提供任何需要更新的字段"}
    account.refresh_from_db()
    assert account.updated_at is None
    assert account.status == "pending"


def test_patch_without_an_account_is_404(auth_client):
    BusinessAccountFactory()  # someone else's

    response = auth_client.patch(ME, {"company_name": "新公司"}, format="json")

    assert response.status_code == 404
    assert response.json() == {"detail": "业务账号不存在"}


def test_patch_with_company_name_too_long_is_422(auth_client, user):
    account = BusinessAccountFactory(owner=user)

    response = auth_client.patch(ME, {"company_name": "x" * 129}, format="json")

    assert response.status_code == 422
    assert response.json() == {"detail": "公司抬头长度不能超过128个字符"}
    account.refresh_from_db()
    assert account.company_name != "x" * 129


@pytest.mark.parametrize(("field", "label", "limit"), FIELD_LIMITS)
def test_patch_with_a_field_too_long_is_422(auth_client, user, field, label, limit):
    BusinessAccountFactory(owner=user)

    response = auth_client.patch(ME, {field: "x" * (limit + 1)}, format="json")

    assert response.status_code == 422
    assert response.json() == {"detail": f"{label}长度不能超过{limit}个字符"}


def test_patch_leaves_history_rows(auth_client, user):
    account = BusinessAccountFactory(owner=user, company_name="旧公司", tax_number="T1")

    auth_client.patch(
        ME, {"company_name": "新公司", "tax_number": "T1", "contact_phone": ""}, format="json"
    )

    assert history(account) == {
        (user.pk, "company_name", "旧公司", "新公司"),
        (user.pk, "contact_phone", "+86-13800000000", None),
    }


def test_patch_with_the_same_values_changes_nothing(auth_client, user):
    account = BusinessAccountFactory(owner=user, company_name="示例公司")

    response = auth_client.patch(ME, {"company_name": "示例公司"}, format="json")

    assert response.status_code == 200
    assert response.json()["updated_at"] is None
    assert not account.changes.exists()


def test_patch_of_a_disabled_account_is_allowed(auth_client, user):
    BusinessAccountFactory(owner=user, disabled=True)

    response = auth_client.patch(ME, {"company_name": "新公司"}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "disabled"


# --- 3.4 GET /api/business-accounts/{account_id} ------------------------------------------


def test_detail_of_my_account_equals_me(auth_client, user):
    account = BusinessAccountFactory(owner=user, active=True)

    response = auth_client.get(detail_url(account.id))

    assert response.status_code == 200
    assert response.json() == auth_client.get(ME).json()


@pytest.mark.parametrize("role", [Role.USER, Role.AGENT])
def test_detail_of_someone_elses_account_is_403(api_client, make_token, auth_header, role):
    account = BusinessAccountFactory()
    stranger = UserFactory(role=role)

    response = api_client.get(detail_url(account.id), **auth_header(make_token(stranger)))

    assert response.status_code == 403
    assert response.json() == {"detail": "无权访问此业务账号"}


def test_an_admin_reads_any_account(api_client, make_token, auth_header, staff):
    account = BusinessAccountFactory(active=True)

    response = api_client.get(detail_url(account.id), **auth_header(make_token(staff)))

    assert response.status_code == 200
    assert response.json()["owner_email"] == account.owner.email


@pytest.mark.parametrize(
    "account_id",
    [
        NO_SUCH_ID,
        "507f1f77bcf86cd799439020",
        "not-a-uuid",
        "123",
        "A4F0C2D9-6B1E-4C3A-9F7D-2E5B8C1A0D63",
    ],
)
def test_detail_of_a_missing_account_is_404(auth_client, user, account_id):
    BusinessAccountFactory(owner=user)

    response = auth_client.get(detail_url(account_id))

    assert response.status_code == 404
    assert response.json() == {"detail": "业务账号不存在"}


def test_detail_takes_two_queries(auth_client, user, django_assert_num_queries):
    account = BusinessAccountFactory(owner=user, active=True)
    BusinessAccountFactory.create_batch(3)

    with django_assert_num_queries(2):  # the session with its user, the account with its owner
        response = auth_client.get(detail_url(account.id))

    assert response.status_code == 200


def test_detail_of_someone_elses_account_takes_two_queries(auth_client, django_assert_num_queries):
    account = BusinessAccountFactory()

    with django_assert_num_queries(2):
        response = auth_client.get(detail_url(account.id))

    assert response.status_code == 403


def test_detail_is_read_only(auth_client, user):
    account = BusinessAccountFactory(owner=user)

    response = auth_client.patch(detail_url(account.id), {"company_name": "x"}, format="json")

    assert response.status_code == 405


def test_selector_refuses_and_allows_by_role(user, staff):
    mine = BusinessAccountFactory(owner=user)
    theirs = BusinessAccountFactory()

    assert business_account_get(user=user, account_id=str(mine.id)) == mine
    assert business_account_get(user=staff, account_id=str(theirs.id)) == theirs
    with pytest.raises(ForbiddenError):
        business_account_get(user=user, account_id=str(theirs.id))
    with pytest.raises(NotFoundError):
        business_account_get(user=user, account_id="me")


# --- the database's rules ------------------------------------------------------------------


def test_the_database_keeps_one_account_per_user(user):
    BusinessAccount.objects.create(owner=user)

    with pytest.raises(IntegrityError), transaction.atomic():
        BusinessAccount.objects.create(owner=user)


@pytest.mark.parametrize(
    "missing",
    [{"assigned_email": None}, {"user_code": None}, {"assigned_email": None, "user_code": None}],
)
def test_the_database_refuses_active_without_assignment(user, missing):
    fields = {"assigned_email": "biz@company.com", "user_code": "USER001", **missing}

    with pytest.raises(IntegrityError), transaction.atomic():
        BusinessAccount.objects.create(owner=user, status=BusinessAccountStatus.ACTIVE, **fields)


def test_the_database_refuses_an_unknown_status(user):
    with pytest.raises(IntegrityError), transaction.atomic():
        BusinessAccount.objects.create(owner=user, status="approved")


def test_the_database_keeps_user_codes_unique_when_set():
    BusinessAccountFactory(user_code=None)
    BusinessAccountFactory(user_code=None)
    BusinessAccountFactory(user_code="USER001")

    with pytest.raises(IntegrityError), transaction.atomic():
        BusinessAccountFactory(user_code="USER001")


# --- staff services: the status flow, history and the activation e-mail ---------------------


def test_filling_both_assignments_activates_a_pending_account(
    staff, django_capture_on_commit_callbacks
):
    account = BusinessAccountFactory()
    changes = {"assigned_email": "biz@company.com", "user_code": "USER001"}

    with django_capture_on_commit_callbacks(execute=True):
        updated = services.business_account_staff_update(
            account=account, actor=staff, changes=changes
        )

    assert updated.status == BusinessAccountStatus.ACTIVE
    account.refresh_from_db()
    assert (account.status, account.assigned_email, account.user_code) == (
        "active",
        "biz@company.com",
        "USER001",
    )
    assert account.updated_at is not None
    assert history(account) == {
        (staff.pk, "assigned_email", None, "biz@company.com"),
        (staff.pk, "user_code", None, "USER001"),
        (staff.pk, "status", "pending", "active"),
    }
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [account.owner.email]
    assert "激活" in message.subject
    assert "biz@company.com" in message.body
    assert "USER001" in message.body


def test_one_assignment_keeps_the_account_pending(staff, django_capture_on_commit_callbacks):
    account = BusinessAccountFactory()

    with django_capture_on_commit_callbacks(execute=True):
        services.business_account_staff_update(
            account=account, actor=staff, changes={"assigned_email": "biz@company.com"}
        )

    account.refresh_from_db()
    assert account.status == "pending"
    assert account.assigned_email == "biz@company.com"
    assert mail.outbox == []


@pytest.mark.parametrize("assignment", [{}, {"assigned_email": "biz@company.com"}])
def test_activating_without_both_assignments_is_refused(staff, assignment):
    account = BusinessAccountFactory(**assignment)

    with pytest.raises(ApplicationError) as refused:
        services.business_account_status_set(
            account=account, actor=staff, status=BusinessAccountStatus.ACTIVE
        )

    assert refused.value.message == "激活业务账号前需要填写专属邮箱和用户识别码"
    account.refresh_from_db()
    assert account.status == "pending"
    assert not account.changes.exists()


@pytest.mark.parametrize(
    ("traits", "status", "message"),
    [
        ({}, BusinessAccountStatus.DISABLED, "业务账号状态不能从「待审核」变为「已禁用」"),
        (
            {"active": True},
            BusinessAccountStatus.PENDING,
            "业务账号状态不能从「已激活」变为「待审核」",
        ),
        (
            {"disabled": True},
            BusinessAccountStatus.PENDING,
            "业务账号状态不能从「已禁用」变为「待审核」",
        ),
    ],
)
def test_moves_outside_the_flow_are_refused(staff, traits, status, message):
    account = BusinessAccountFactory(**traits)
    before = account.status

    with pytest.raises(ApplicationError) as refused:
        services.business_account_status_set(account=account, actor=staff, status=status)

    assert refused.value.message == message
    account.refresh_from_db()
    assert account.status == before


def test_disable_and_re_enable(staff, django_capture_on_commit_callbacks):
    account = BusinessAccountFactory(active=True)

    with django_capture_on_commit_callbacks(execute=True):
        services.business_account_status_set(
            account=account, actor=staff, status=BusinessAccountStatus.DISABLED
        )
    account.refresh_from_db()
    assert account.status == "disabled"
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        services.business_account_status_set(
            account=account, actor=staff, status=BusinessAccountStatus.ACTIVE
        )
    account.refresh_from_db()
    assert account.status == "active"
    assert len(mail.outbox) == 1
    assert "重新启用" in mail.outbox[0].body
    assert [(c.field, c.old_value, c.new_value) for c in account.changes.order_by("id")] == [
        ("status", "active", "disabled"),
        ("status", "disabled", "active"),
    ]


def test_re_enabling_needs_both_assignments_still_set(staff):
    account = BusinessAccountFactory(disabled=True)
    services.business_account_staff_update(account=account, actor=staff, changes={"user_code": ""})

    with pytest.raises(ApplicationError) as refused:
        services.business_account_status_set(
            account=account, actor=staff, status=BusinessAccountStatus.ACTIVE
        )

    assert refused.value.message == "激活业务账号前需要填写专属邮箱和用户识别码"
    account.refresh_from_db()
    assert (account.status, account.user_code) == ("disabled", None)


@pytest.mark.parametrize("field", ["assigned_email", "user_code"])
def test_an_active_account_keeps_its_assignment(staff, field):
    account = BusinessAccountFactory(active=True)

    with pytest.raises(ApplicationError) as refused:
        services.business_account_staff_update(account=account, actor=staff, changes={field: " "})

    assert refused.value.message == "已激活的业务账号不能清空专属邮箱或用户识别码"
    account.refresh_from_db()
    assert getattr(account, field) is not None


def test_a_user_code_in_use_is_refused(staff):
    BusinessAccountFactory(user_code="USER001")
    account = BusinessAccountFactory()

    with pytest.raises(ApplicationError) as refused:
        services.business_account_staff_update(
            account=account, actor=staff, changes={"user_code": "USER001"}
        )

    assert refused.value.message == "该用户识别码已被使用"


def test_staff_edit_of_customer_fields_leaves_history(staff):
    account = BusinessAccountFactory(active=True, company_name="旧公司")

    services.business_account_staff_update(
        account=account, actor=staff, changes={"company_name": "新公司", "status": "active"}
    )

    assert history(account) == {(staff.pk, "company_name", "旧公司", "新公司")}


def test_customer_update_never_touches_staff_fields(user):
    account = BusinessAccountFactory(owner=user)

    with pytest.raises(ApplicationError) as refused:
        services.business_account_update(account=account, actor=user, changes=STAFF_ONLY)

    assert refused.value.message == "未提供任何需要更新的字段"
    account.refresh_from_db()
    assert account.status == "pending"


def test_activation_survives_a_failing_mail_server(
    staff, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.accounts.failing_email.FailingEmailBackend"
    account = BusinessAccountFactory()

    with django_capture_on_commit_callbacks(execute=True):
        services.business_account_staff_update(
            account=account,
            actor=staff,
            changes={"assigned_email": "biz@company.com", "user_code": "USER001"},
        )

    account.refresh_from_db()
    assert account.status == "active"
    assert account.changes.filter(field="status").exists()
