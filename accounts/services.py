import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import (
    BusinessAccount,
    BusinessAccountChange,
    BusinessAccountStatus,
    LoginSession,
    Role,
    User,
    VerificationChannel,
    normalize_email,
)
from accounts.selectors import user_by_email, user_is_last_active_admin
from accounts.tokens import access_token_issue
from accounts.verification import verification_code_consume, verification_code_send
from csa.errors import ApplicationError, ForbiddenError, RateLimitedError, UnauthorizedError
from csa.history import record_changes, snapshot
from csa.notifications import email_after_commit

logger = logging.getLogger(__name__)

REGISTER_PURPOSE = "register"
LOGIN_FAILURE_WINDOW_SECONDS = 15 * 60


@dataclass(frozen=True)
class IssuedLogin:
    session: LoginSession
    access_token: str


# --- registration -----------------------------------------------------------------------


def registration_code_send(*, email: str, client_ip: str) -> str:
    """Send a sign-up code to `email`; returns the address as it is kept."""
    email = normalize_email(email)

    def deliver(code: str) -> None:
        body = render_to_string(
            "emails/verification_code.txt",
            {"code": code, "minutes": int(settings.VERIFICATION_EMAIL_TTL.total_seconds() // 60)},
        )
        try:
            send_mail("云梦镜像注册验证码", body, None, [email])
        except Exception as exc:
            logger.warning("Verification e-mail to %s failed: %s", email, type(exc).__name__)
            raise ApplicationError("邮件发送失败", status_code=500) from exc

    verification_code_send(
        channel=VerificationChannel.EMAIL,
        address=email,
        purpose=REGISTER_PURPOSE,
        client_ip=client_ip,
        ttl=settings.VERIFICATION_EMAIL_TTL,
        deliver=deliver,
    )
    return email


def user_register_with_email(*, email: str, password: str, verification_code: str) -> User:
    email = normalize_email(email)
    if user_by_email(email) is not None:
        raise ApplicationError("该邮箱已被注册")
    if not verification_code_consume(
        channel=VerificationChannel.EMAIL,
        address=email,
        purpose=REGISTER_PURPOSE,
        code=verification_code,
    ):
        raise ApplicationError("验证码无效或已过期")
    return user_create(email=email, password=password)


def user_create(*, email: str, password: str, **fields) -> User:
    """A new user; a unique field taken meanwhile by a concurrent request is a clean refusal."""
    try:
        with transaction.atomic():
            return User.objects.create_user(email, password, **fields)
    except IntegrityError as exc:
        if user_by_email(email) is not None:
            raise ApplicationError("该邮箱已被注册") from exc
        raise


# --- login and sessions -----------------------------------------------------------------


def _login_failures_key(identifier: str) -> str:
    return f"login:failures:{identifier.lower()}"


def _check_login_failures(identifier: str) -> None:
    failures = cache.get(_login_failures_key(identifier), 0)
    if failures >= settings.LOGIN_FAILURE_LIMIT:
        raise RateLimitedError(
            "登录失败次数过多，请稍后再试", retry_after=LOGIN_FAILURE_WINDOW_SECONDS
        )


def _record_login_failure(identifier: str) -> None:
    key = _login_failures_key(identifier)
    cache.add(key, 0, LOGIN_FAILURE_WINDOW_SECONDS)
    cache.incr(key)


def user_authenticate(*, user: User | None, identifier: str, password: str) -> User:
    """The user if `password` is theirs; one answer for an unknown user and a wrong password.

    Too many failures for one identifier lock it for a while, whoever is trying.
    """
    _check_login_failures(identifier)
    if user is None:
        make_password(password)  # same work as a real check, so timing tells nothing
        _record_login_failure(identifier)
        raise UnauthorizedError("邮箱或密码错误")
    if not user.check_password(password):
        _record_login_failure(identifier)
        raise UnauthorizedError("邮箱或密码错误")
    if not user.is_active:
        raise ForbiddenError("账号已被禁用")
    cache.delete(_login_failures_key(identifier))
    return user


def login_session_start(
    *, user: User, client_ip: str | None, user_agent: str, lifetime: timedelta
) -> IssuedLogin:
    session = LoginSession.objects.create(
        user=user,
        expires_at=timezone.now() + lifetime,
        ip_address=client_ip or None,
        user_agent=user_agent[:256],
    )
    return IssuedLogin(session=session, access_token=access_token_issue(session))


def user_login_with_email(
    *, email: str, password: str, client_ip: str, user_agent: str
) -> IssuedLogin:
    user = user_authenticate(user=user_by_email(email), identifier=email.strip(), password=password)
    return login_session_start(
        user=user,
        client_ip=client_ip,
        user_agent=user_agent,
        lifetime=settings.ACCESS_TOKEN_LIFETIME,
    )


def user_sessions_revoke(*, user: User) -> int:
    return LoginSession.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


# --- profile, password, account status ----------------------------------------------------

PROFILE_FIELDS = ("full_name", "phone_number", "avatar_url", "bio")


@transaction.atomic
def user_profile_update(*, user: User, changes: dict[str, str | None]) -> User:
    changes = {name: value for name, value in changes.items() if name in PROFILE_FIELDS}
    if not changes:
        raise ApplicationError("未提供任何需要更新的字段")
    for name, value in changes.items():
        setattr(user, name, value)
    user.updated_at = timezone.now()
    user.save(update_fields=[*changes, "updated_at"])
    return user


@transaction.atomic
def user_password_change(*, user: User, current_password: str, new_password: str) -> None:
    """Set a new password and end every session of the user, the current one included."""
    if not user.check_password(current_password):
        raise ApplicationError("当前密码不正确")
    if current_password == new_password:
        raise ApplicationError("新密码不能与当前密码相同")
    user.set_password(new_password)
    user.updated_at = timezone.now()
    user.save(update_fields=["password", "updated_at"])
    user_sessions_revoke(user=user)


LAST_ADMIN = "平台至少需要保留一位启用的管理员"


@transaction.atomic
def user_active_set(*, user: User, is_active: bool) -> User:
    """Disable or re-enable an account; disabling ends its sessions."""
    if not is_active and user_is_last_active_admin(user, lock=True):
        raise ApplicationError(LAST_ADMIN)
    user.is_active = is_active
    user.updated_at = timezone.now()
    user.save(update_fields=["is_active", "updated_at"])
    if not is_active:
        user_sessions_revoke(user=user)
    return user


@transaction.atomic
def user_role_change(*, user: User, role: Role) -> User:
    """Change a user's role; the platform always keeps at least one active admin."""
    if role != Role.ADMIN and user_is_last_active_admin(user, lock=True):
        raise ApplicationError(LAST_ADMIN)
    user.role = role
    user.updated_at = timezone.now()
    user.save(update_fields=["role", "updated_at"])
    return user


@transaction.atomic
def user_update_by_staff(*, user: User, changes: dict[str, object]) -> User:
    """Staff's edit of an account in the console; role and status go through their own rules."""
    changes = dict(changes)
    role = changes.pop("role", None)
    is_active = changes.pop("is_active", None)
    if changes:
        for name, value in changes.items():
            setattr(user, name, value)
        user.updated_at = timezone.now()
        user.save(update_fields=[*changes, "updated_at"])
    if role is not None:
        user_role_change(user=user, role=role)
    if is_active is not None:
        user_active_set(user=user, is_active=is_active)
    return user


# --- business accounts --------------------------------------------------------------------

BUSINESS_ACCOUNT_EXISTS = "已存在申请或已激活账号"
NOTHING_TO_UPDATE = "未提供任何需要更新的字段"
ACTIVATION_NEEDS_ASSIGNMENT = "激活业务账号前需要填写专属邮箱和用户识别码"
ACTIVE_KEEPS_ASSIGNMENT = "已激活的业务账号不能清空专属邮箱或用户识别码"
USER_CODE_TAKEN = "该用户识别码已被使用"

CUSTOMER_FIELDS = (
    "company_name",
    "tax_number",
    "certification_info",
    "communication_address",
    "contact_person_name",
    "contact_phone",
)
ASSIGNMENT_FIELDS = ("assigned_email", "user_code")
STAFF_FIELDS = (*CUSTOMER_FIELDS, *ASSIGNMENT_FIELDS, "status")

# pending → active → disabled → active: every other move is refused.
STATUS_MOVES = {
    BusinessAccountStatus.PENDING: {BusinessAccountStatus.ACTIVE},
    BusinessAccountStatus.ACTIVE: {BusinessAccountStatus.DISABLED},
    BusinessAccountStatus.DISABLED: {BusinessAccountStatus.ACTIVE},
}


def business_account_status_after(
    *,
    current: str,
    requested: str | None,
    assigned_email: str | None,
    user_code: str | None,
) -> BusinessAccountStatus:
    """The status an account ends in after a staff edit, or the refusal the flow gives.

    `requested` is the status staff chose (None or the current one: none chosen). A pending
    account whose assigned e-mail and user code are both filled becomes active by itself.
    The staff console validates its form with this same rule.
    """
    current = BusinessAccountStatus(current)
    target = BusinessAccountStatus(requested or current)
    assigned = bool(assigned_email and user_code)
    if current == target == BusinessAccountStatus.PENDING and assigned:
        target = BusinessAccountStatus.ACTIVE
    if target != current and target not in STATUS_MOVES[current]:
        raise ApplicationError(f"业务账号状态不能从「{current.label}」变为「{target.label}」")
    if target == BusinessAccountStatus.ACTIVE and not assigned:
        if current == BusinessAccountStatus.ACTIVE:
            raise ApplicationError(ACTIVE_KEEPS_ASSIGNMENT)
        raise ApplicationError(ACTIVATION_NEEDS_ASSIGNMENT)
    return target


def _blank_to_none(value: object) -> object:
    """Text that is empty once trimmed is stored as null: the API tells null from ""."""
    if isinstance(value, str):
        return value.strip() or None
    return value


def _business_account_locked(account: BusinessAccount) -> BusinessAccount:
    """The row as stored, locked: changes and their history start from what is really there."""
    return (
        BusinessAccount.objects.select_for_update(of=("self",))
        .select_related("owner")
        .get(pk=account.pk)
    )


def _business_account_save(
    *, account: BusinessAccount, actor: User | None, changes: dict[str, object]
) -> BusinessAccount:
    changes = {name: value for name, value in changes.items() if getattr(account, name) != value}
    if not changes:
        return account
    before = snapshot(account, list(changes))
    for name, value in changes.items():
        setattr(account, name, value)
    account.updated_at = timezone.now()
    account.save(update_fields=[*changes, "updated_at"])
    record_changes(
        history=BusinessAccountChange,
        subject_field="business_account",
        subject=account,
        actor=actor,
        before=before,
    )
    return account


@transaction.atomic
def business_account_apply(*, owner: User, fields: dict[str, str | None]) -> BusinessAccount:
    """A pending account for a user who has none: one per user, whatever its status."""
    if BusinessAccount.objects.filter(owner=owner).exists():
        raise ApplicationError(BUSINESS_ACCOUNT_EXISTS)
    values = {
        name: _blank_to_none(value) for name, value in fields.items() if name in CUSTOMER_FIELDS
    }
    try:
        with transaction.atomic():
            return BusinessAccount.objects.create(owner=owner, **values)
    except IntegrityError as exc:
        # A concurrent application won the race; the database kept it to one.
        if BusinessAccount.objects.filter(owner=owner).exists():
            raise ApplicationError(BUSINESS_ACCOUNT_EXISTS) from exc
        raise


@transaction.atomic
def business_account_update(
    *, account: BusinessAccount, actor: User, changes: dict[str, str | None]
) -> BusinessAccount:
    """The customer's edit: the customer fields only, whatever else the request carries."""
    changes = {
        name: _blank_to_none(value) for name, value in changes.items() if name in CUSTOMER_FIELDS
    }
    if not changes:
        raise ApplicationError(NOTHING_TO_UPDATE)
    account = _business_account_locked(account)
    return _business_account_save(account=account, actor=actor, changes=changes)


@transaction.atomic
def business_account_staff_update(
    *, account: BusinessAccount, actor: User | None, changes: dict[str, object]
) -> BusinessAccount:
    """Staff's edit of any field, status included, along the status flow.

    Entering `active` (first activation or re-enabling) e-mails the owner once the change commits.
    """
    changes = {
        name: _blank_to_none(value) for name, value in changes.items() if name in STAFF_FIELDS
    }
    account = _business_account_locked(account)
    assignment = {name: changes.get(name, getattr(account, name)) for name in ASSIGNMENT_FIELDS}
    status_before = account.status
    changes["status"] = business_account_status_after(
        current=status_before, requested=changes.get("status"), **assignment
    )
    user_code = changes.get("user_code")
    taken = BusinessAccount.objects.filter(user_code=user_code).exclude(pk=account.pk)
    if user_code and taken.exists():
        raise ApplicationError(USER_CODE_TAKEN)
    account = _business_account_save(account=account, actor=actor, changes=changes)
    if account.status == BusinessAccountStatus.ACTIVE and status_before != account.status:
        _business_account_activated_email(
            account, reenabled=status_before == BusinessAccountStatus.DISABLED
        )
    return account


def _business_account_activated_email(account: BusinessAccount, *, reenabled: bool) -> None:
    email_after_commit(
        to=[account.owner.email],
        subject="您的云梦镜像业务账号已" + ("重新启用" if reenabled else "激活"),
        template="emails/business_account_activated.txt",
        context={"account": account, "reenabled": reenabled},
    )


@transaction.atomic
def business_account_status_set(
    *, account: BusinessAccount, actor: User | None, status: BusinessAccountStatus
) -> BusinessAccount:
    return business_account_staff_update(account=account, actor=actor, changes={"status": status})
