"""Points in the rewriting API: amounts as JSON numbers, the /points requests and answers."""

from datetime import UTC, datetime, time
from decimal import Decimal

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import User
from csa.envelope.serializers import (
    MillisecondDateTimeField,
    PageParamsSerializer,
    PaginationSerializer,
    milliseconds_text,
)
from points.amounts import points_truncate
from points.models import ANSWERED_TYPE, ANSWERED_TYPES, PointsTransaction, TransactionType
from points.services import MAX_TRANSACTION_ID
from rewriting.snapshots import snapshot_url


def points_number(amount: Decimal) -> int | float:
    """Points as a JSON number: whole amounts as integers, others with their (at most 3) places.

    A float's shortest representation of a 3-place decimal prints exactly those digits.
    """
    normalized = points_truncate(amount)
    return int(normalized) if normalized == normalized.to_integral_value() else float(normalized)


@extend_schema_field(OpenApiTypes.NUMBER)
class PointsField(serializers.Field):
    def to_representation(self, value: Decimal) -> int | float:
        return points_number(value)


# --- requests -----------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.DATETIME)
class QueryTimeField(serializers.Field):
    """An ISO 8601 time (`2023-12-01T00:00:00.000Z`) or a date; a date, or a time without an
    offset, is in the server's time zone. A date as the end of a range means its last moment."""

    def __init__(self, *, message: str, end_of_day: bool = False, **kwargs) -> None:
        super().__init__(required=False, **kwargs)
        self.message = message
        self.end_of_day = end_of_day

    def to_internal_value(self, data) -> datetime:
        moment = self._parse(data) if isinstance(data, str) else None
        if moment is None:
            raise serializers.ValidationError(self.message)
        if timezone.is_naive(moment):
            return timezone.make_aware(moment)
        try:
            # In UTC before the database sees it: PostgreSQL refuses offsets past 15:59, which
            # Python reads up to 23:59.
            return moment.astimezone(UTC)
        except OverflowError:  # 0001-01-01T00:00+01:00 falls before the year 1 in UTC
            raise serializers.ValidationError(self.message) from None

    def _parse(self, text: str) -> datetime | None:
        text = text.strip()
        try:
            # A date first: parse_datetime would read one as its midnight.
            day = parse_date(text)
            if day is not None:
                return datetime.combine(day, time.max if self.end_of_day else time.min)
            return parse_datetime(text)
        except ValueError:  # well-formed but impossible, such as month 13
            return None


class TransactionParamsSerializer(PageParamsSerializer):
    transaction_type = serializers.ChoiceField(
        choices=TransactionType.choices,
        required=False,
        allow_blank=True,
        error_messages={
            "invalid_choice": "交易类型参数错误，必须为recharge、spend、transfer或refund"
        },
    )
    start_date = QueryTimeField(message="开始日期格式不正确")
    end_date = QueryTimeField(message="结束日期格式不正确", end_of_day=True)

    def validate(self, attrs: dict) -> dict:
        start, end = attrs.get("start_date"), attrs.get("end_date")
        if start and end and start > end:
            raise serializers.ValidationError("开始日期不能晚于结束日期")
        return attrs


@extend_schema_field(OpenApiTypes.INT)
class TransactionIdField(serializers.Field):
    """A positive integer, also when written `123.0` or `"123"`."""

    default_error_messages = {
        "required": "缺少交易ID参数",
        "null": "缺少交易ID参数",
        "invalid": "交易ID必须为整数",
        "min_value": "交易ID必须大于0",
    }

    def to_internal_value(self, data) -> int:
        if isinstance(data, str) and data.strip().lstrip("-").isdecimal():
            data = int(data.strip())
        if isinstance(data, float) and data.is_integer():
            data = int(data)
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        if data <= 0:
            self.fail("min_value")
        return min(data, MAX_TRANSACTION_ID + 1)  # no such row; the service says so


class RefundRequestSerializer(serializers.Serializer):
    transaction_id = TransactionIdField()


# --- answers ------------------------------------------------------------------------------------


class AnsweredTypeField(serializers.ChoiceField):
    """A transaction's kind as the API answers it: a refund is a recharge."""

    def to_representation(self, value: str) -> str:
        return ANSWERED_TYPE[value]


class TransactionSerializer(serializers.Serializer):
    """One of the caller's transactions; snapshot URLs need the request in the context."""

    id = serializers.IntegerField(read_only=True)
    profile_id = serializers.IntegerField(source="user_id")
    transaction_type = AnsweredTypeField(choices=ANSWERED_TYPES, label="交易类型")
    amount = PointsField()
    balance_after = PointsField()
    description = serializers.CharField(max_length=255, label="说明")
    reference_id = serializers.CharField(
        max_length=128, allow_null=True, required=False, label="关联ID"
    )
    user_input_file_url = serializers.CharField(read_only=True, allow_null=True)
    ai_response_file_url = serializers.CharField(read_only=True, allow_null=True)
    is_successful = serializers.BooleanField(required=False, label="是否成功")
    created_at = MillisecondDateTimeField()

    def to_representation(self, row: PointsTransaction) -> dict:
        # By hand (transaction_data): DRF would copy and call the fields above for each row;
        # they stay as the schema, and a test holds the two to the same answer.
        return transaction_data(row, request=self.context["request"])


def transaction_data(row: PointsTransaction, *, request) -> dict:
    """The row as TransactionSerializer answers, without DRF copying and calling its fields."""
    return {
        "id": row.id,
        "profile_id": row.user_id,
        "transaction_type": ANSWERED_TYPE[row.transaction_type],
        "amount": points_number(row.amount),
        "balance_after": points_number(row.balance_after),
        "description": row.description,
        "reference_id": row.reference_id,
        "user_input_file_url": snapshot_url(row.user_input_file, request=request),
        "ai_response_file_url": snapshot_url(row.ai_response_file, request=request),
        "is_successful": row.is_successful,
        "created_at": milliseconds_text(row.created_at),
    }


class TransactionPageSerializer(serializers.Serializer):
    transactions = TransactionSerializer(many=True)
    pagination = PaginationSerializer()


class RechargeProfileSerializer(serializers.ModelSerializer):
    user_id = serializers.UUIDField(source="uuid")
    invited_by = serializers.IntegerField(source="invited_by_id", allow_null=True)
    invited_by_username = serializers.CharField(
        source="invited_by.username", default=None, allow_null=True
    )

    class Meta:
        model = User
        fields = [
            "id",
            "user_id",
            "username",
            "email",
            "phone",
            "role",
            "invited_by",
            "invited_by_username",
        ]


class RechargeSerializer(serializers.ModelSerializer):
    profile_id = serializers.IntegerField(source="user_id")
    amount = PointsField()
    balance_after = PointsField()
    created_at = MillisecondDateTimeField()
    profile = RechargeProfileSerializer(source="user")

    class Meta:
        model = PointsTransaction
        fields = [
            "id",
            "profile_id",
            "amount",
            "balance_after",
            "description",
            "reference_id",
            "is_successful",
            "created_at",
            "profile",
        ]


class RechargePageSerializer(serializers.Serializer):
    records = RechargeSerializer(many=True)
    pagination = PaginationSerializer()
    scope = serializers.ChoiceField(choices=["all", "downline"])


class BalanceSerializer(serializers.Serializer):
    points_balance = PointsField()


class RefundSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    points_balance = PointsField()
