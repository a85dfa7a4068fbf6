"""The rewriting API's users and requests, with the document's field names and messages."""

import re
from collections.abc import Mapping

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.settings import api_settings

from accounts.models import Role, User
from accounts.phones import phone_normalize
from csa.envelope.serializers import MAX_PAGE, MillisecondDateTimeField
from csa.ids import uuid_or_none
from points.selectors import points_balance_of
from points.serializers import points_number

USERNAME_PATTERN = re.compile(r"[A-Za-z0-9_\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
CODE_PATTERN = re.compile(r"\d{4,6}")
INVALID_PARAMETERS = "参数校验失败"


def _messages(**messages: str) -> dict[str, str]:
    """DRF's error keys, each worded as the document words it (`null` and `blank` as `required`)."""
    required = messages.get("required")
    return {"null": required, "blank": required, **messages} if required else messages


class PhoneField(serializers.CharField):
    default_error_messages = {"invalid": "手机号格式不正确"}

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault(
            "error_messages", _messages(required="手机号不能为空", max_length="手机号格式不正确")
        )
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> str:
        phone = phone_normalize(super().to_internal_value(data))
        if phone is None:
            self.fail("invalid")
        return phone


class CodeField(serializers.RegexField):
    def __init__(self, **kwargs) -> None:
        messages = _messages(required="验证码不能为空", invalid="验证码应为4-6位数字")
        super().__init__(CODE_PATTERN, max_length=6, error_messages=messages, **kwargs)


# --- users as answered ------------------------------------------------------------------------


class RewritingUserSerializer(serializers.ModelSerializer):
    points_balance = serializers.SerializerMethodField()
    created_at = MillisecondDateTimeField()

    @extend_schema_field(OpenApiTypes.NUMBER)  # a whole number is also a number: not oneOf
    def get_points_balance(self, user: User) -> int | float:
        return points_number(points_balance_of(user))


class RegisteredUserSerializer(RewritingUserSerializer):
    invited_by = serializers.CharField(source="invited_by.username", default=None, allow_null=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "email",
            "phone",
            "invite_code",
            "role",
            "points_balance",
            "created_at",
            "invited_by",
        ]


class SessionUserSerializer(RewritingUserSerializer):
    """The login's user: here the document's `id` is the UUID string."""

    id = serializers.UUIDField(source="uuid")

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "email",
            "phone",
            "role",
            "points_balance",
            "invite_code",
            "created_at",
        ]


LISTED_USER_FIELDS = [
    "id",
    "user_id",
    "username",
    "email",
    "phone",
    "role",
    "points_balance",
    "invite_code",
    "invited_by",
    "invited_by_username",
    "created_at",
]


class ListedUserSerializer(RewritingUserSerializer):
    user_id = serializers.UUIDField(source="uuid")
    invited_by = serializers.UUIDField(source="invited_by.uuid", default=None, allow_null=True)
    invited_by_username = serializers.CharField(
        source="invited_by.username", default=None, allow_null=True
    )

    class Meta:
        model = User
        fields = LISTED_USER_FIELDS


class RoleChangedUserSerializer(ListedUserSerializer):
    """The document's answer: a listed user without the inviter's name, plus the role before."""

    previous_role = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [name for name in LISTED_USER_FIELDS if name != "invited_by_username"]
        fields.insert(fields.index("role") + 1, "previous_role")

    def get_previous_role(self, user: User) -> str:
        return self.context["previous_role"]


class SessionSerializer(serializers.Serializer):
    access_token = serializers.CharField()
    refresh_token = serializers.CharField()
    expires_at = serializers.IntegerField(help_text="访问令牌过期时间（Unix 秒）")


class LoginAnswerSerializer(serializers.Serializer):
    user = SessionUserSerializer()
    session = SessionSerializer()


class UserListSerializer(serializers.Serializer):
    users = ListedUserSerializer(many=True)
    total = serializers.IntegerField()
    scope = serializers.ChoiceField(choices=["all", "downline"])
    page = serializers.IntegerField()
    limit = serializers.IntegerField()


# --- requests -----------------------------------------------------------------------------------


class OtpRequestSerializer(serializers.Serializer):
    phone = PhoneField()
    purpose = serializers.ChoiceField(
        choices=["signup", "login"],
        default="signup",
        error_messages={"invalid_choice": "验证码用途只能是 signup 或 login"},
    )


class RegisterRequestSerializer(serializers.Serializer):
    username = serializers.CharField(
        min_length=3,
        max_length=20,
        error_messages=_messages(
            required="用户名不能为空",
            min_length="用户名至少3个字符",
            max_length="用户名最多20个字符",
        ),
    )
    email = serializers.EmailField(
        max_length=254,
        error_messages=_messages(
            required="邮箱不能为空", invalid="邮箱格式不正确", max_length="邮箱格式不正确"
        ),
    )
    phone = PhoneField(required=False, allow_null=True, allow_blank=True)
    verification_code = CodeField(required=False, allow_null=True, allow_blank=True)
    password = serializers.CharField(
        min_length=6,
        max_length=100,
        trim_whitespace=False,
        error_messages=_messages(
            required="密码不能为空", min_length="密码至少6个字符", max_length="密码最多100个字符"
        ),
    )
    invite_code = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        max_length=32,
        error_messages={"max_length": "邀请码无效"},
    )

    def validate_username(self, value: str) -> str:
        if not USERNAME_PATTERN.fullmatch(value):
            raise serializers.ValidationError("用户名只能包含字母、数字、下划线和中文")
        return value

    def validate(self, attrs: dict) -> dict:
        if attrs.get("phone") and not attrs.get("verification_code"):
            raise serializers.ValidationError("提供手机号时必须提供验证码")
        if not attrs.get("phone"):
            attrs["phone"] = None
            attrs["verification_code"] = None  # a code is for a phone; without one it is moot
        return attrs


class LoginRequestSerializer(serializers.Serializer):
    username = serializers.CharField(required=False, allow_blank=True, max_length=254)
    password = serializers.CharField(
        required=False, allow_blank=True, max_length=128, trim_whitespace=False
    )
    phone = PhoneField(required=False, allow_blank=True)
    verification_code = CodeField(required=False, allow_blank=True)

    def to_internal_value(self, data):
        # Two ways at once is refused before either is checked, whatever their values.
        if isinstance(data, Mapping):
            by_password = bool(data.get("username") or data.get("password"))
            by_phone = bool(data.get("phone") or data.get("verification_code"))
            if by_password and by_phone:
                raise serializers.ValidationError(
                    {api_settings.NON_FIELD_ERRORS_KEY: ["只能选择一种登录方式"]}
                )
        return super().to_internal_value(data)

    def validate(self, attrs: dict) -> dict:
        complete = (attrs.get("username") and attrs.get("password")) or (
            attrs.get("phone") and attrs.get("verification_code")
        )
        if not complete:
            raise serializers.ValidationError("请提供用户名密码或手机号验证码进行登录")
        return attrs


class RefreshRequestSerializer(serializers.Serializer):
    refresh_token = serializers.CharField(
        max_length=4096,
        error_messages=_messages(required="刷新令牌不能为空", max_length="刷新令牌无效或已过期"),
    )


class UserListParamsSerializer(serializers.Serializer):
    page = serializers.IntegerField(
        min_value=1,
        max_value=MAX_PAGE,
        default=1,
        error_messages={
            "invalid": "page必须是正整数",
            "min_value": "page必须是正整数",
            "max_value": "page超出范围",
        },
    )
    limit = serializers.IntegerField(
        min_value=1,
        max_value=100,
        default=20,
        error_messages={
            "invalid": "limit必须是1到100之间的整数",
            "min_value": "limit必须是1到100之间的整数",
            "max_value": "limit必须是1到100之间的整数",
        },
    )
    keyword = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        error_messages={"max_length": "关键词过长"},
    )


class UpdateRoleRequestSerializer(serializers.Serializer):
    target_user_id = serializers.CharField(
        max_length=64,
        error_messages=_messages(required="用户ID格式不正确", max_length="用户ID格式不正确"),
    )
    role = serializers.ChoiceField(
        choices=Role.values,
        error_messages=_messages(required=INVALID_PARAMETERS, invalid_choice=INVALID_PARAMETERS),
    )

    def validate_target_user_id(self, value: str):
        target = uuid_or_none(value)
        if target is None:
            raise serializers.ValidationError("用户ID格式不正确")
        return target


class ChangePasswordRequestSerializer(serializers.Serializer):
    current_password = serializers.CharField(
        max_length=128, trim_whitespace=False, error_messages=_messages(required="当前密码不能为空")
    )
    new_password = serializers.CharField(
        min_length=6,
        max_length=100,
        trim_whitespace=False,
        error_messages=_messages(
            required="新密码不能为空",
            min_length="新密码至少6个字符",
            max_length="新密码最多100个字符",
        ),
    )
