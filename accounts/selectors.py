from uuid import UUID

from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.models import (
    ApplicationKey,
    BusinessAccount,
    LoginSession,
    PasskeyCredential,
    Role,
    User,
)
from accounts.phones import E164_PHONE
from accounts.tokens import AccessTokenClaims, access_token_read, bearer_token
from csa.errors import ForbiddenError, NotFoundError
from csa.ids import uuid_or_none
from csa.statements import columns_of, fetch_one, instance_of, parameter

_SESSION_WITH_USER = (
    f"SELECT {columns_of(LoginSession, 's')}, {columns_of(User, 'u')} "  # noqa: S608 (names)
    f"FROM {LoginSession._meta.db_table} s JOIN {User._meta.db_table} u ON u.id = s.user_id "
    "WHERE s.id = %s AND u.uuid = %s"
)
_SESSION_COLUMNS = len(LoginSession._meta.concrete_fields)


def login_session_with_user(*, session_id: UUID, user_uuid: UUID) -> LoginSession | None:
    """`LoginSession.objects.select_related("user").filter(pk=session_id,
    user__uuid=user_uuid).first()`, by hand: every authenticated request asks it, and the ORM
    takes longer to write this query than the database to answer it."""
    row = fetch_one(
        _SESSION_WITH_USER,
        [
            parameter(LoginSession._meta.pk, session_id),
            parameter(User._meta.get_field("uuid"), user_uuid),
        ],
    )
    if row is None:
        return None
    session = instance_of(LoginSession, row[:_SESSION_COLUMNS])
    session.user = instance_of(User, row[_SESSION_COLUMNS:])
    return session


def login_session_for_claims(claims: AccessTokenClaims) -> LoginSession | None:
    """The session a token names, with its user, in one query; None when it cannot be used.

    A revoked or expired session is returned too when its user is disabled, so that the caller
    can answer "disabled" rather than "bad token".
    """
    session = login_session_with_user(session_id=claims.session_id, user_uuid=claims.user_uuid)
    if session is None or not session.user.is_active:
        return session
    if session.revoked_at is not None or session.expires_at <= timezone.now():
        return None
    return session


def users_by_email(email: str) -> QuerySet[User]:
    """The user with this address whatever its case, found by the unique index on LOWER(email)
    (an `iexact` lookup compiles to UPPER(), which no index serves)."""
    named = User.objects.alias(email_lower=Lower("email"))
    return named.filter(email_lower=Lower(Value(email.strip())))


def users_by_username(name: str) -> QuerySet[User]:
    """The user with this username whatever its case, by the unique index on LOWER(username)."""
    named = User.objects.alias(username_lower=Lower("username"))
    return named.filter(username_lower=Lower(Value(name.strip())))


def user_by_email(email: str) -> User | None:
    return users_by_email(email).first()


def user_by_password_name(name: str) -> User | None:
    """The account a password sign-in names: by e-mail when it has an @, else by username;
    letter case aside."""
    name = name.strip()
    return (users_by_email(name) if "@" in name else users_by_username(name)).first()


def user_by_login_name(name: str) -> User | None:
    """The account any sign-in names: a login phone in E.164 (`+86…`, as the SMS login passes
    it; usernames have no +), else an e-mail or username."""
    if E164_PHONE.fullmatch(name.strip()):
        return User.objects.filter(phone=name.strip()).first()
    return user_by_password_name(name)


def user_is_last_active_admin(user: User, *, lock: bool = False) -> bool:
    """Whether `user` is, as stored, the only active admin (`lock` holds those rows)."""
    admins = User.objects.filter(role=Role.ADMIN, is_active=True)
    if lock:
        admins = admins.select_for_update()
    return list(admins.values_list("pk", flat=True)) == [user.pk]


# The records an account keeps for good (each relation protects them): what they are called.
KEPT_RECORDS = (
    ("contracts", "合同", "份"),
    ("projects", "项目", "个"),
    ("points_transactions", "积分交易", "条"),
    ("rewriting_tasks", "改写任务", "个"),
    ("rewriting_documents", "文档改写", "个"),
    ("payment_orders", "充值订单", "个"),
    ("payment_orders_received", "代充订单", "个"),
    ("uploaded_files", "上传文件", "个"),
)


def user_records_kept(user: User) -> str:
    """`合同 2 份、积分交易 5 条`: the records that keep `user` from being deleted; "" if none."""
    counts = [
        (label, getattr(user, relation).count(), unit) for relation, label, unit in KEPT_RECORDS
    ]
    return "、".join(f"{label} {count} {unit}" for label, count, unit in counts if count)


# --- business accounts --------------------------------------------------------------------

BUSINESS_ACCOUNT_NOT_FOUND = "业务账号不存在"


def business_account_for_owner(*, user: User) -> BusinessAccount:
    account = BusinessAccount.objects.select_related("owner").filter(owner=user).first()
    if account is None:
        raise NotFoundError(BUSINESS_ACCOUNT_NOT_FOUND)
    return account


def business_account_get(*, user: User, account_id: str) -> BusinessAccount:
    """The account if `user` owns it or is an admin: 404 when there is none, 403 when not theirs."""
    pk = uuid_or_none(account_id)
    account = BusinessAccount.objects.select_related("owner").filter(pk=pk).first() if pk else None
    if account is None:
        raise NotFoundError(BUSINESS_ACCOUNT_NOT_FOUND)
    if account.owner_id != user.pk and user.role != Role.ADMIN:
        raise ForbiddenError("无权访问此业务账号")
    return account


# --- the rewriting API's users ----------------------------------------------------------------

TARGET_USER_NOT_FOUND = "目标用户不存在"


def _answerable_users() -> QuerySet[User]:
    """Users with what the rewriting API shows of them: inviter and points, in the same query."""
    return User.objects.select_related("invited_by", "points_account")


def user_for_answer(*, user_id: int) -> User:
    return _answerable_users().get(pk=user_id)


def user_for_admin_change(*, user_uuid: UUID) -> User:
    """The user an admin changes (role, rate, points), or 404 in the document's words."""
    target = _answerable_users().filter(uuid=user_uuid).first()
    if target is None:
        raise NotFoundError(TARGET_USER_NOT_FOUND)
    return target


def users_visible_to(
    *,
    user: User,
    keyword: str | None = None,
    phone: str | None = None,
    username: str | None = None,
) -> tuple[QuerySet[User], str]:
    """Everyone for an admin (`all`), an agent's direct invitees (`downline`); nobody else's.

    `phone` and `username` are substrings of each (both must match); `keyword` of any of
    username, e-mail and phone. Each is served by its column's trigram index on PostgreSQL.
    """
    if user.role == Role.ADMIN:
        users, scope = _answerable_users(), "all"
    elif user.role == Role.AGENT:
        users, scope = _answerable_users().filter(invited_by=user), "downline"
    else:
        raise ForbiddenError("无权访问")
    if keyword:
        users = users.filter(
            Q(username__icontains=keyword)
            | Q(email__icontains=keyword)
            | Q(phone__icontains=keyword)
        )
    if phone:
        users = users.filter(phone__icontains=phone)
    if username:
        users = users.filter(username__icontains=username)
    return users.order_by("-created_at", "-id"), scope


def login_session_for_authorization(header: str) -> LoginSession | None:
    """The live session a `Bearer` header names, or None however it fails."""
    raw = bearer_token(header)
    claims = access_token_read(raw) if raw else None
    session = login_session_for_claims(claims) if claims else None
    if session is None or session.revoked_at is not None or session.expires_at <= timezone.now():
        return None
    return session


# --- application keys -----------------------------------------------------------------------

APPLICATION_KEY_NOT_FOUND = "尚未创建应用密钥"


def application_key_by_hash(key_hash: str) -> ApplicationKey | None:
    """The key with this digest and its owner, in one query; revoked and stopped ones too."""
    return ApplicationKey.objects.select_related("owner").filter(key_hash=key_hash).first()


def application_key_live_of(*, user: User) -> ApplicationKey:
    """`user`'s live (not rotated away) key, or 404."""
    record = ApplicationKey.objects.filter(owner=user, revoked_at__isnull=True).first()
    if record is None:
        raise NotFoundError(APPLICATION_KEY_NOT_FOUND)
    return record


def application_key_usable(record: ApplicationKey | None) -> bool:
    """Whether the key opens the portal's API: known, not rotated away, on, its owner too."""
    return (
        record is not None
        and record.revoked_at is None
        and record.is_active
        and record.owner.is_active
    )


# --- passkeys -------------------------------------------------------------------------------

PASSKEY_NOT_FOUND = "通行密钥不存在"


def passkeys_of(*, user: User) -> QuerySet[PasskeyCredential]:
    """`user`'s passkeys, the primary first, then the newest."""
    return PasskeyCredential.objects.filter(user=user).order_by("-is_primary", "-created_at", "-id")


def passkey_of(*, user: User, passkey_id: str) -> PasskeyCredential:
    """One of `user`'s passkeys; anyone else's, or none, is 404."""
    pk = uuid_or_none(passkey_id)
    record = PasskeyCredential.objects.filter(user=user, pk=pk).first() if pk else None
    if record is None:
        raise NotFoundError(PASSKEY_NOT_FOUND)
    return record


def passkey_by_credential_id(credential_id: str) -> PasskeyCredential | None:
    """The passkey an authenticator named, with its owner, in one query."""
    return (
        PasskeyCredential.objects.select_related("user").filter(credential_id=credential_id).first()
    )
