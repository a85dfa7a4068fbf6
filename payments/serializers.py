"""Online recharge in the rewriting API: what a client sends to pay, and the orders it reads."""

from decimal import Decimal
from urllib.parse import urlsplit

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.rewriting_api.serializers import TargetUserIdField
from csa.envelope.serializers import (
    MillisecondDateTimeField,
    PageParamsSerializer,
    PaginationSerializer,
)
from payments.models import SUBJECT_MAX_LENGTH, Channel, OrderStatus
from points.serializers import PointsField

AMOUNT_INVALID = "充值金额必须为整数且至少为 1 元"
DEVICES = {"pc": Channel.ALIPAY_PAGE, "mobile": Channel.ALIPAY_WAP}


@extend_schema_field(OpenApiTypes.INT)
class YuanField(serializers.Field):
    """A whole number of yuan from 1 to PAYMENTS_MAX_ORDER_YUAN: `50`, `50.0` or `"50"`."""

    default_error_messages = {
        "invalid": AMOUNT_INVALID,
        "required": AMOUNT_INVALID,
        "null": AMOUNT_INVALID,
    }

    def to_internal_value(self, data) -> Decimal:
        if isinstance(data, bool) or not isinstance(data, int | float | str):
            self.fail("invalid")
        try:
            amount = Decimal(str(data).strip())
        except ArithmeticError:
            self.fail("invalid")
        if not amount.is_finite() or amount != amount.to_integral_value() or amount < 1:
            self.fail("invalid")
        if amount > settings.PAYMENTS_MAX_ORDER_YUAN:
            raise serializers.ValidationError(
                f"单笔充值金额不能超过 {settings.PAYMENTS_MAX_ORDER_YUAN} 元"
            )
        return amount.quantize(Decimal("0.01"))

    def to_representation(self, value: Decimal) -> int | float:
        return int(value) if value == value.to_integral_value() else float(value)


class ReturnUrlField(serializers.CharField):
    """Where the gateway sends the customer's browser after paying: an http(s) address."""

    def __init__(self, **kwargs) -> None:
        super().__init__(
            required=False,
            allow_blank=True,
            max_length=512,
            error_messages={"max_length": "返回地址过长"},
            help_text="支付完成后浏览器返回的地址（http/https）；不填则返回本站的结果页",
            **kwargs,
        )

    def to_internal_value(self, data) -> str:
        url = super().to_internal_value(data).strip()
        parts = urlsplit(url)
        if url and (parts.scheme not in ("http", "https") or not parts.netloc):
            raise serializers.ValidationError("返回地址格式不正确")
        return url


def subject_field() -> serializers.CharField:
    return serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=SUBJECT_MAX_LENGTH,
        error_messages={"max_length": "订单标题过长"},
        help_text="订单标题，不填则为“积分充值 - N元”",
    )


class AlipayPayRequestSerializer(serializers.Serializer):
    total_amount = YuanField(help_text="充值金额（元），整数，至少 1")
    subject = subject_field()
    return_url = ReturnUrlField()
    device = serializers.ChoiceField(
        choices=list(DEVICES),
        default="pc",
        error_messages={"invalid_choice": "device 只能是 pc 或 mobile"},
        help_text="pc：电脑网站支付（默认）；mobile：手机网站支付",
    )


class AlipayPayForDownlineRequestSerializer(AlipayPayRequestSerializer):
    target_user_id = TargetUserIdField(required_message="目标用户ID不能为空")


class WeChatNativeRequestSerializer(serializers.Serializer):
    total_amount = YuanField(help_text="充值金额（元），整数，至少 1")
    subject = subject_field()
    target_user_id = TargetUserIdField(
        required=False, help_text="代理或管理员为下级充值时，下级的用户ID"
    )


class OrderParamsSerializer(PageParamsSerializer):
    status = serializers.ChoiceField(
        choices=OrderStatus.values,
        required=False,
        error_messages={"invalid_choice": "订单状态只能是 pending、paid 或 closed"},
    )


class OrderSerializer(serializers.Serializer):
    out_trade_no = serializers.CharField()
    channel = serializers.ChoiceField(choices=Channel.choices)
    status = serializers.ChoiceField(choices=OrderStatus.choices)
    success = serializers.SerializerMethodField()
    subject = serializers.CharField()
    total_amount = YuanField(source="amount")
    points = PointsField()
    rate = serializers.DecimalField(max_digits=5, decimal_places=3, coerce_to_string=False)
    beneficiary_id = serializers.UUIDField(source="beneficiary.uuid")
    beneficiary_username = serializers.CharField(source="beneficiary.username", allow_null=True)
    trade_no = serializers.CharField(allow_blank=True)
    created_at = MillisecondDateTimeField()
    expires_at = MillisecondDateTimeField()
    paid_at = MillisecondDateTimeField(allow_null=True)
    closed_at = MillisecondDateTimeField(allow_null=True)

    def get_success(self, order) -> bool:
        return order.status == OrderStatus.PAID


class OrderPageSerializer(serializers.Serializer):
    orders = OrderSerializer(many=True)
    pagination = PaginationSerializer()


class NativeCheckoutSerializer(OrderSerializer):
    code_url = serializers.CharField(
        help_text="微信支付二维码内容（weixin://...），由客户端生成二维码"
    )
