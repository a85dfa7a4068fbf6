import secrets
import string
import uuid
from decimal import Decimal

from axes.models import AccessAttempt
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from csa.history import ChangeRecord

INVITE_CODE_ALPHABET = string.ascii_uppercase + string.digits
INVITE_CODE_LENGTH = 6
# Points one yuan buys: the rewriting service's price for each user, set by admins.
RATE_DEFAULT = Decimal(1)
RATE_MAX = Decimal(10)


def new_invite_code() -> str:
    return "".join(secrets.choice(INVITE_CODE_ALPHABET) for _ in range(INVITE_CODE_LENGTH))


def normalize_email(email: str) -> str:
    """E-mail addresses are one identity whatever their case, so they are kept lower-cased."""
    return email.strip().lower()


class Role(models.TextChoices):
    USER = "user", "普通用户"
    AGENT = "agent", "代理"
    ADMIN = "admin", "管理员"


class UserManager(BaseUserManager["User"]):
    def get_by_natural_key(self, username: str) -> "User":
        return self.get(email=normalize_email(username))

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        user = self.model(email=normalize_email(email), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        # Made by an operator at the command line, who vouches for the address.
        fields.setdefault("email_verified_at", timezone.now())
        return self.create_user(email, password, role=Role.ADMIN, **fields)


class User(AbstractBaseUser):
    """The one identity of both products.

    `id` is the rewriting API's integer id; `uuid` is the opaque id the portal shows (and the
    rewriting API's `user_id`).
    """

    uuid = models.UUIDField("公开编号", default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField("邮箱", max_length=254, unique=True)
    # When the address was proven by a code sent to it (or vouched for by staff). The portal signs
    # in proven addresses only; one nobody proved goes to whoever proves it (docs/api.md, "Proven
    # e-mail addresses").
    email_verified_at = models.DateTimeField("邮箱验证时间", null=True, blank=True)
    username = models.CharField("用户名", max_length=20, unique=True, null=True, blank=True)
    phone = models.CharField("登录手机号", max_length=16, unique=True, null=True, blank=True)
    role = models.CharField("角色", max_length=16, choices=Role.choices, default=Role.USER)
    is_active = models.BooleanField("启用", default=True)
    # Staff set a temporary password: until its owner changes it, their tokens reach nothing but
    # the password change and logout.
    password_change_required = models.BooleanField("须修改密码", default=False, db_default=False)
    # The customer's own switch (PUT /api/passkey/toggle): off, their passkeys sign nobody in.
    passkey_login_enabled = models.BooleanField("允许通行密钥登录", default=True, db_default=True)
    rate = models.DecimalField(
        "费率",
        max_digits=5,
        decimal_places=3,
        default=RATE_DEFAULT,
        db_default=RATE_DEFAULT,  # rows written by hand (bench data) get it too
        validators=[
            MinValueValidator(0, message="费率不能小于0"),
            MaxValueValidator(RATE_MAX, message="费率不能超过10"),
        ],
        help_text="每元可购积分，0–10，最多3位小数",
    )
    full_name = models.CharField("姓名", max_length=64, null=True, blank=True)
    phone_number = models.CharField("联系方式", max_length=32, null=True, blank=True)
    avatar_url = models.CharField("头像URL", max_length=2048, null=True, blank=True)
    bio = models.CharField("个人简介", max_length=256, null=True, blank=True)
    invite_code = models.CharField(
        "邀请码", max_length=INVITE_CODE_LENGTH, unique=True, default=new_invite_code
    )
    invited_by = models.ForeignKey(
        "self",
        verbose_name="邀请人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitees",
        db_index=False,  # led by user_invitees_newest
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        # Newest first: the console's list and the rewriting service's user list.
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="user_newest"),
            # An agent's downline, newest first.
            models.Index(fields=["invited_by", "-created_at", "-id"], name="user_invitees_newest"),
        ]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            models.UniqueConstraint(
                Lower("username"),
                name="user_username_ci_unique",
                violation_error_message="用户名已存在",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="user_role_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(rate__gte=0, rate__lte=RATE_MAX),
                name="user_rate_range",
                violation_error_message="费率须在0到10之间",
            ),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def is_staff(self) -> bool:
        """The staff console opens to the admin role and nothing else."""
        return self.is_active and self.role == Role.ADMIN

    def has_perm(self, perm: str, obj=None) -> bool:
        return self.is_staff

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_staff


class LoginSession(models.Model):
    """A server-side login; every token carries its id, so revoking it ends the tokens."""

    id = models.UUIDField("编号", primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="login_sessions")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=256, blank=True, default="")
    # SHA-256 of the session's refresh token (rewriting logins have one); the token itself is
    # shown once and never stored.
    refresh_token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    # A login's sessions, one after another as refreshes replace them, share the first one's id:
    # a refresh token used again after it was replaced ends them all (docs/api.md, "Refresh
    # tokens").
    chain_id = models.UUIDField("登录链", default=uuid.uuid4, db_index=True)
    replaced_by = models.OneToOneField(
        "self",
        verbose_name="刷新后的会话",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replaces",
    )

    class Meta:
        verbose_name = "登录会话"
        verbose_name_plural = "登录会话"
        indexes = [models.Index(fields=["user", "revoked_at"])]

    def __str__(self) -> str:
        return f"{self.user} @ {self.created_at:%Y-%m-%d %H:%M}"


class LoginFailure(AccessAttempt):
    """Failed sign-ins as the lockout counts them (accounts/lockout.py), one row per account
    name, client address and browser; for staff to see who is locked and to lift a lock."""

    class Meta:
        proxy = True
        verbose_name = "登录失败记录"
        verbose_name_plural = "登录失败记录"

    def __str__(self) -> str:
        return f"{self.username or '—'}（{self.ip_address}）"


class VerificationChannel(models.TextChoices):
    EMAIL = "email", "邮件"
    SMS = "sms", "短信"


class VerificationCode(models.Model):
    """The live code of one address and purpose; a resend replaces it, so one row each."""

    channel = models.CharField(max_length=8, choices=VerificationChannel.choices)
    address = models.CharField(max_length=254)
    purpose = models.CharField(max_length=16)
    code_hash = models.CharField(max_length=128)
    expires_at = models.DateTimeField()
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "验证码"
        verbose_name_plural = "验证码"
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "address", "purpose"], name="verification_code_one_live"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.address} ({self.purpose})"


# --- business accounts --------------------------------------------------------------------


class BusinessAccountStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    ACTIVE = "active", "已激活"
    DISABLED = "disabled", "已禁用"


class BusinessAccount(models.Model):
    """A customer's company account: applied for by the customer, activated by staff."""

    id = models.UUIDField("编号", primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.OneToOneField(
        User,
        verbose_name="所属用户",
        on_delete=models.CASCADE,
        related_name="business_account",
    )
    status = models.CharField(
        "状态",
        max_length=16,
        choices=BusinessAccountStatus.choices,
        default=BusinessAccountStatus.PENDING,
    )
    assigned_email = models.EmailField("专属邮箱", max_length=254, null=True, blank=True)
    user_code = models.CharField("用户识别码", max_length=64, null=True, blank=True)
    company_name = models.CharField("公司抬头", max_length=128, null=True, blank=True)
    tax_number = models.CharField("税号", max_length=64, null=True, blank=True)
    certification_info = models.CharField("认证信息", max_length=512, null=True, blank=True)
    communication_address = models.CharField("通信地址", max_length=256, null=True, blank=True)
    contact_person_name = models.CharField("联系人姓名", max_length=64, null=True, blank=True)
    contact_phone = models.CharField("联系方式", max_length=32, null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", null=True, blank=True)

    class Meta:
        verbose_name = "业务账号"
        verbose_name_plural = "业务账号"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=BusinessAccountStatus.values),
                name="business_account_status_valid",
            ),
            models.UniqueConstraint(
                fields=["user_code"],
                condition=models.Q(user_code__isnull=False),
                name="business_account_user_code_unique",
                violation_error_message="该用户识别码已被使用",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=BusinessAccountStatus.ACTIVE)
                | models.Q(assigned_email__isnull=False, user_code__isnull=False),
                name="business_account_active_has_assignment",
                violation_error_message="激活业务账号前需要填写专属邮箱和用户识别码",
            ),
        ]

    def __str__(self) -> str:
        return self.company_name or f"{self.owner.email} 的业务账号"


class BusinessAccountChange(ChangeRecord):
    business_account = models.ForeignKey(
        BusinessAccount, verbose_name="业务账号", on_delete=models.CASCADE, related_name="changes"
    )

    class Meta(ChangeRecord.Meta):
        verbose_name = "业务账号变更记录"
        verbose_name_plural = "业务账号变更记录"


# --- application keys ---------------------------------------------------------------------


class ApplicationKey(models.Model):
    """A key a customer's own programs call the portal's API with, as `Bearer sk-…`.

    Only its SHA-256 is kept; the key is shown once. A rotation keeps the old row, revoked, for
    the console's history: one row per owner is live (not revoked) at a time.
    """

    id = models.UUIDField("编号", primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        User,
        verbose_name="所属用户",
        on_delete=models.CASCADE,
        related_name="application_keys",
        db_index=False,  # led by application_key_owner_newest
    )
    prefix = models.CharField("密钥前缀", max_length=16)
    key_hash = models.CharField("密钥摘要", max_length=64, unique=True)
    can_write = models.BooleanField("允许写操作", default=False, db_default=False)
    is_active = models.BooleanField("启用", default=True, db_default=True)
    # Staff's stop: the customer cannot lift it, only rotate to a fresh key.
    disabled_by_staff = models.BooleanField("管理员停用", default=False, db_default=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用时间", null=True, blank=True)
    revoked_at = models.DateTimeField("轮换停用时间", null=True, blank=True)

    class Meta:
        verbose_name = "应用密钥"
        verbose_name_plural = "应用密钥"
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="application_key_newest"),
            models.Index(fields=["owner", "-created_at"], name="application_key_owner_newest"),
            # The console finds a key by the prefix its owner reads out.
            models.Index(fields=["prefix"], name="application_key_prefix"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["owner"],
                condition=models.Q(revoked_at__isnull=True),
                name="application_key_one_live_per_owner",
                violation_error_message="应用密钥已存在，如需新密钥请使用轮换",
            ),
            models.CheckConstraint(
                condition=models.Q(prefix__startswith="sk-"), name="application_key_prefix_sk"
            ),
            # A key staff stopped is never active again.
            models.CheckConstraint(
                condition=models.Q(disabled_by_staff=False) | models.Q(is_active=False),
                name="application_key_staff_disabled_inactive",
            ),
            # A rotated key is stopped for good.
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True) | models.Q(is_active=False),
                name="application_key_revoked_inactive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}…"


# --- passkeys -------------------------------------------------------------------------------


class PasskeyCredential(models.Model):
    """A passkey (WebAuthn credential) a customer registered to sign in to the portal with.

    Only its public key is kept. `sign_count` is the authenticator's counter at its last use:
    an assertion that does not move it forward comes from a copy and is refused (an
    authenticator that keeps no counter says 0 every time). One passkey of each user with any
    is primary.
    """

    id = models.UUIDField("编号", primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        User,
        verbose_name="所属用户",
        on_delete=models.CASCADE,
        related_name="passkeys",
        db_index=False,  # led by passkey_user_newest
    )
    # base64url of the raw id, as browsers send it; at most 1023 bytes by the standard.
    credential_id = models.CharField("凭据ID", max_length=1400, unique=True)
    public_key = models.BinaryField("公钥（COSE）")
    sign_count = models.PositiveBigIntegerField("签名计数", default=0)
    nickname = models.CharField("名称", max_length=64)
    is_primary = models.BooleanField("主通行密钥", default=False)
    transports = models.JSONField("传输方式", default=list, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用时间", null=True, blank=True)

    class Meta:
        verbose_name = "通行密钥"
        verbose_name_plural = "通行密钥"
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="passkey_newest"),
            models.Index(fields=["user", "-created_at"], name="passkey_user_newest"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(is_primary=True),
                name="passkey_one_primary_per_user",
                violation_error_message="每个账号只能有一个主通行密钥",
            ),
            models.CheckConstraint(
                condition=~models.Q(nickname=""), name="passkey_nickname_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.nickname}（{self.user}）"
