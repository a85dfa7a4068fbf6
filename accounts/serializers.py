from urllib.parse import urlsplit

from rest_framework import serializers

from accounts.models import BusinessAccount, Role, User
from csa.api.messages import field_messages
from csa.api.serializers import datetime_text

EMAIL_MESSAGES = field_messages("邮箱", invalid="邮箱格式不正确")


def password_field(label: str = "密码", **kwargs) -> serializers.CharField:
    messages = field_messages(
        label,
        min_length=f"{label}长度至少为{{min_length}}位",
        max_length=f"{label}长度不能超过{{max_length}}位",
    )
    return serializers.CharField(
        trim_whitespace=False, max_length=128, error_messages=messages, **kwargs
    )


class SendCodeSerializer(serializers.Serializer):
    email = serializers.EmailField(error_messages=EMAIL_MESSAGES)


def code_field() -> serializers.RegexField:
    return serializers.RegexField(
        r"^[0-9]{6}$",
        error_messages=field_messages("验证码", invalid="验证码必须是6位数字"),
    )


class MainlandMobileField(serializers.RegexField):
    """An 11-digit mainland China mobile number as typed; kept as the login phone (E.164)."""

    def __init__(self, label: str = "手机号", **kwargs) -> None:
        messages = field_messages(label, invalid=f"{label}格式不正确，应为11位手机号")
        super().__init__(r"^1[0-9]{10}$", error_messages=messages, **kwargs)

    def run_validation(self, data=serializers.empty) -> str:
        number = super().run_validation(data)
        return f"+86{number}"


class RegisterSerializer(serializers.Serializer):
    email = serializers.EmailField(error_messages=EMAIL_MESSAGES)
    password = password_field(min_length=8)
    verification_code = code_field()


class LoginSerializer(serializers.Serializer):
    email = serializers.EmailField(error_messages=EMAIL_MESSAGES)
    password = password_field()


class TokenFormSerializer(serializers.Serializer):
    """OAuth2 password grant form; `username` carries the e-mail address."""

    username = serializers.EmailField(error_messages=EMAIL_MESSAGES)
    password = password_field()
    grant_type = serializers.RegexField(
        r"^password$", required=False, error_messages=field_messages("grant_type")
    )
    scope = serializers.CharField(required=False, allow_blank=True)


class TokenSerializer(serializers.Serializer):
    access_token = serializers.CharField()
    token_type = serializers.CharField(default="bearer")
    expires_in = serializers.IntegerField()


class UserSerializer(serializers.Serializer):
    id = serializers.CharField(source="uuid", read_only=True)
    email = serializers.EmailField(read_only=True, label="邮箱")
    email_verified = serializers.BooleanField(read_only=True, label="邮箱已验证")
    phone = serializers.CharField(
        read_only=True, allow_null=True, label="登录手机号", help_text="已验证的登录手机号（E.164）"
    )
    role = serializers.ChoiceField(choices=Role.choices, read_only=True, label="角色")
    is_active = serializers.BooleanField(read_only=True, label="启用")
    created_at = serializers.DateTimeField(read_only=True, label="创建时间")
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True, label="更新时间")
    full_name = serializers.CharField(read_only=True, allow_null=True, label="姓名")
    phone_number = serializers.CharField(read_only=True, allow_null=True, label="联系方式")
    avatar_url = serializers.CharField(read_only=True, allow_null=True, label="头像URL")
    bio = serializers.CharField(read_only=True, allow_null=True, label="个人简介")

    def to_representation(self, user: User) -> dict:
        # By hand (user_data): DRF would copy and call the fields above on every request; they
        # stay as the schema, and a test holds the two to the same answer.
        return user_data(user)


def user_data(user: User) -> dict:
    """The user as UserSerializer answers, without DRF building and calling its fields."""
    return {
        "id": str(user.uuid),
        "email": user.email,
        "email_verified": user.email_verified,
        "phone": user.phone,
        "role": user.role,
        "is_active": user.is_active,
        "created_at": datetime_text(user.created_at),
        "updated_at": datetime_text(user.updated_at),
        "full_name": user.full_name,
        "phone_number": user.phone_number,
        "avatar_url": user.avatar_url,
        "bio": user.bio,
    }


def _optional_text(label: str, max_length: int | None = None) -> serializers.CharField:
    return serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        max_length=max_length,
        error_messages=field_messages(label),
    )


class ProfileUpdateSerializer(serializers.Serializer):
    full_name = _optional_text("姓名", 64)
    phone_number = _optional_text("联系方式", 32)
    avatar_url = _optional_text("头像URL", 2048)
    bio = _optional_text("个人简介", 256)

    def validate_avatar_url(self, value: str | None) -> str | None:
        if value and urlsplit(value).scheme not in ("http", "https"):
            raise serializers.ValidationError("头像URL格式不正确")
        return value

    def to_internal_value(self, data):
        """An empty string clears a field: it is stored as null."""
        values = super().to_internal_value(data)
        return {name: (value or None) for name, value in values.items()}


class PasswordChangeSerializer(serializers.Serializer):
    old_password = password_field("当前密码")
    new_password = password_field("新密码", min_length=8)


class MessageSerializer(serializers.Serializer):
    message = serializers.CharField()


class CodeSentSerializer(MessageSerializer):
    email = serializers.EmailField()


# --- SMS and password reset (v2.1) -------------------------------------------------------------


class SendSmsCodeSerializer(serializers.Serializer):
    phone_number = MainlandMobileField()


class SmsLoginSerializer(SendSmsCodeSerializer):
    verification_code = code_field()


class BindPhoneSerializer(SmsLoginSerializer):
    pass


class ChangePhoneSerializer(serializers.Serializer):
    new_phone_number = MainlandMobileField("新手机号", source="phone_number")
    verification_code = code_field()


class SmsPasswordResetSerializer(SmsLoginSerializer):
    new_password = password_field("新密码", min_length=8)


class SendResetCodeSerializer(SendCodeSerializer):
    pass


class EmailPasswordResetSerializer(serializers.Serializer):
    email = serializers.EmailField(error_messages=EMAIL_MESSAGES)
    verification_code = code_field()
    new_password = password_field("新密码", min_length=8)


class SmsCodeSentSerializer(MessageSerializer):
    phone_number = serializers.CharField(help_text="11位手机号，如请求所写")


class PhoneBoundSerializer(SmsCodeSentSerializer):
    pass


class SmsLoginAnswerSerializer(TokenSerializer):
    user = UserSerializer()


# --- business accounts --------------------------------------------------------------------


class BusinessAccountSerializer(serializers.ModelSerializer):
    owner_email = serializers.EmailField(source="owner.email", read_only=True)

    class Meta:
        model = BusinessAccount
        fields = [
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
        ]
        read_only_fields = fields


class BusinessAccountDetailsSerializer(serializers.Serializer):
    """The fields a customer fills in; one that is blank once trimmed is stored as null.

    assigned_email, user_code and status belong to staff: they are never read from a request.
    """

    company_name = _optional_text("公司抬头", 128)
    tax_number = _optional_text("税号", 64)
    certification_info = _optional_text("认证信息", 512)
    communication_address = _optional_text("通信地址", 256)
    contact_person_name = _optional_text("联系人姓名", 64)
    contact_phone = _optional_text("联系方式", 32)
