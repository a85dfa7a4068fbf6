import secrets
import string
import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower

INVITE_CODE_ALPHABET = string.ascii_uppercase + string.digits
INVITE_CODE_LENGTH = 6


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
        return self.create_user(email, password, role=Role.ADMIN, **fields)


class User(AbstractBaseUser):
    """The one identity of both products.

    `id` is the rewriting API's integer id; `uuid` is the opaque id the portal shows (and the
    rewriting API's `user_id`).
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField("邮箱", max_length=254, unique=True)
    username = models.CharField("用户名", max_length=20, unique=True, null=True, blank=True)
    phone = models.CharField("登录手机号", max_length=16, unique=True, null=True, blank=True)
    role = models.CharField("角色", max_length=16, choices=Role.choices, default=Role.USER)
    is_active = models.BooleanField("启用", default=True)
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
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="user_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.email

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

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="login_sessions")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=256, blank=True, default="")

    class Meta:
        verbose_name = "登录会话"
        verbose_name_plural = "登录会话"
        indexes = [models.Index(fields=["user", "revoked_at"])]

    def __str__(self) -> str:
        return f"{self.user} @ {self.created_at:%Y-%m-%d %H:%M}"


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
