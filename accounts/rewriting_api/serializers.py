"""The rewriting API's users and requests, with the document's field names and messages."""

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.settings import api_settings

from accounts.models import RATE_MAX, Role, User
from accounts.phones import phone_normalize
from csa.envelope.serializers import MAX_PAGE, MillisecondDateTimeField
from csa.ids import uuid_or_none
from points.amounts import THOUSANDTH
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


# A binary float's distance from the three-place decimal it was typed as: the browser client
# sends differences such as 10.1 - 3.2 = 6.8999999999999995, which mean 6.9.
FLOAT_NOISE = Decimal("1e-9")


@extend_schema_field(OpenApiTypes.NUMBER)
class ThousandthsField(serializers.Field):
    """A number of at most three decimal places, as a Decimal; a JSON number or its text."""

    default_error_messages = {"places": "最多保留3位小数"}

    def __init__(self, *, min_value: Decimal, max_value: Decimal, **kwargs) -> None:
        super().__init__(**kwargs)
        self.min_value, self.max_value = min_value, max_value

    def to_internal_value(self, data) -> Decimal:
        if isinstance(data, bool) or not isinstance(data, int | float | str):
            self.fail("invalid")
        try:
            number = Decimal(str(data).strip())
        except InvalidOperation:
            self.fail("invalid")
        if not number.is_finite():
            self.fail("invalid")
        if number < self.min_value:
            self.fail("min_value")
        if number > self.max_value:
            self.fail("max_value")
        nearest = number.quantize(THOUSANDTH)
        if abs(number - nearest) > FLOAT_NOISE:
            self.fail("places")
        return nearest

    def to_representation(self, value: Decimal) -> int | float:
        return points_number(value)


# --- users as answered ------------------------------------------------------------------------


class RewritingUserSerializer(serializers.ModelSerializer):
    points_balance = serializers.SerializerMethodField()
    rate = serializers.SerializerMethodField()
    created_at = MillisecondDateTimeField()

    @extend_schema_field(OpenApiTypes.NUMBER)  # a whole number is also a number: not oneOf
    def get_points_balance(self, user: User) -> int | float:
        return points_number(points_balance_of(user))

    @extend_schema_field(OpenApiTypes.NUMBER)
    def get_rate(self, user: User) -> int | float:
        return points_number(user.rate)


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
            "rate",
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
            "rate",
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
    "rate",
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


CHANGED_USER_FIELDS = [name for name in LISTED_USER_FIELDS if name != "invited_by_username"]


class ChangedUserSerializer(ListedUserSerializer):
    """An admin's change answers the user as listed, without the inviter's name."""

    class Meta:
        model = User
        fields = CHANGED_USER_FIELDS


def _after(name: str, new: str) -> list[str]:
    fields = list(CHANGED_USER_FIELDS)
    fields.insert(fields.index(name) + 1, new)
    return fields


class RoleChangedUserSerializer(ChangedUserSerializer):
    """Plus the role before the change."""

    previous_role = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = _after("role", "previous_role")

    def get_previous_role(self, user: User) -> str:
        return self.context["previous_role"]


class RateChangedUserSerializer(ChangedUserSerializer):
    """Plus the rate before the change (the rate itself when it did not change)."""

    previous_rate = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = _after("rate", "previous_rate")

    @extend_schema_field(OpenApiTypes.NUMBER)
    def get_previous_rate(self, user: User) -> int | float:
        return points_number(self.context["previous_rate"])


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
        default=10,
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
        help_text="用户名、邮箱或手机号的一部分",
        error_messages={"max_length": "关键词过长"},
    )
    phone = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="手机号的一部分",
        error_messages={"max_length": "手机号过长"},
    )
    username = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="用户名的一部分（不区分大小写）",
        error_messages={"max_length": "用户名过长"},
    )


class TargetUserIdField(serializers.CharField):
    """The UUID of the user an admin acts on."""

    def __init__(self, *, required_message: str = "用户ID格式不正确", **kwargs) -> None:
        messages = _messages(required=required_message, max_length="用户ID格式不正确")
        super().__init__(max_length=64, error_messages=messages, **kwargs)

    def run_validation(self, data=serializers.empty):
        target = uuid_or_none(super().run_validation(data))
        if target is None:
            raise serializers.ValidationError("用户ID格式不正确")
        return target


class UpdateRoleRequestSerializer(serializers.Serializer):
    target_user_id = TargetUserIdField()
    role = serializers.ChoiceField(
        choices=Role.values,
        error_messages=_messages(required=INVALID_PARAMETERS, invalid_choice=INVALID_PARAMETERS),
    )


class UpdateRateRequestSerializer(serializers.Serializer):
    target_user_id = TargetUserIdField()
    rate = ThousandthsField(
        min_value=Decimal(0),
        max_value=RATE_MAX,
        help_text="每元可购积分，0–10，最多3位小数",
        error_messages=_messages(
            required="费率不能为空",
            invalid="费率必须是数字",
            min_value="费率不能小于0",
            max_value="费率不能超过10",
            places="费率最多保留3位小数",
        ),
    )


POINTS_CHANGE_LIMIT = Decimal(1_000_000)


class UpdatePointsRequestSerializer(serializers.Serializer):
    target_user_id = TargetUserIdField()
    amount = ThousandthsField(
        min_value=-POINTS_CHANGE_LIMIT,
        max_value=POINTS_CHANGE_LIMIT,
        help_text="正数增加、负数扣减，不能为0，最多3位小数",
        error_messages=_messages(
            required="积分调整金额不能为空",
            invalid="积分调整金额必须是数字",
            min_value="积分调整金额过小",
            max_value="积分调整金额过大",
            places="积分调整金额最多保留3位小数",
        ),
    )
    description = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=200,
        help_text="默认：管理员 {用户名} 手动调整积分",
        error_messages={"max_length": "描述信息过长"},
    )

    def validate_amount(self, amount: Decimal) -> Decimal:
        if amount == 0:
            raise serializers.ValidationError("积分调整金额不能为0")
        return amount


def new_password_field() -> serializers.CharField:
    return serializers.CharField(
        min_length=6,
        max_length=100,
        trim_whitespace=False,
        error_messages=_messages(
            required="新密码不能为空",
            min_length="新密码至少6个字符",
            max_length="新密码最多100个字符",
        ),
    )


class ChangePasswordRequestSerializer(serializers.Serializer):
    current_password = serializers.CharField(
        max_length=128, trim_whitespace=False, error_messages=_messages(required="当前密码不能为空")
    )
    new_password = new_password_field()


class ForgotPasswordRequestSerializer(serializers.Serializer):
    """The login phone or the (proven) e-mail address to send the reset code to: one of them."""

    phone = PhoneField(required=False)
    email = serializers.EmailField(
        required=False,
        max_length=254,
        error_messages=_messages(invalid="邮箱格式不正确", max_length="邮箱格式不正确"),
    )

    def validate(self, attrs: dict) -> dict:
        if bool(attrs.get("phone")) == bool(attrs.get("email")):
            raise serializers.ValidationError("请提供手机号或邮箱其中之一")
        return attrs


class ResetPasswordRequestSerializer(ForgotPasswordRequestSerializer):
    verification_code = CodeField()
    new_password = new_password_field()
