from rest_framework import serializers

from accounts.models import ApplicationKey
from csa.api.messages import field_messages


class JSONBooleanField(serializers.BooleanField):
    """`true` or `false` as JSON writes them; not "yes", 1 or "on"."""

    def to_internal_value(self, data) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class ApplicationKeyCreateSerializer(serializers.Serializer):
    can_write = JSONBooleanField(
        required=False,
        default=False,
        help_text="是否允许写操作（POST/PUT/PATCH/DELETE），默认只读",
        error_messages=field_messages("can_write", invalid="can_write必须是布尔值"),
    )


class ApplicationKeyStatusSerializer(serializers.Serializer):
    is_active = JSONBooleanField(
        error_messages=field_messages("is_active", invalid="is_active必须是布尔值")
    )


class ApplicationKeyValidateParams(serializers.Serializer):
    key = serializers.CharField(
        max_length=256, help_text="应用密钥 sk-…", error_messages=field_messages("key")
    )


class ApplicationKeySerializer(serializers.ModelSerializer):
    """A key as the portal shows it after it was made: its prefix, never the key."""

    class Meta:
        model = ApplicationKey
        fields = ["id", "prefix", "can_write", "is_active", "created_at", "last_used_at"]
        read_only_fields = fields


class IssuedApplicationKeySerializer(serializers.Serializer):
    """A key just made, shown this once."""

    id = serializers.UUIDField(source="record.id")
    key = serializers.CharField(help_text="完整密钥，仅此一次显示，请妥善保存")
    prefix = serializers.CharField(source="record.prefix")
    can_write = serializers.BooleanField(source="record.can_write")
    is_active = serializers.BooleanField(source="record.is_active")
    created_at = serializers.DateTimeField(source="record.created_at")


class ApplicationKeyIssuedSerializer(serializers.Serializer):
    message = serializers.CharField()
    application_key = IssuedApplicationKeySerializer()


class ApplicationKeyStatusSetSerializer(serializers.Serializer):
    message = serializers.CharField()
    application_key = ApplicationKeySerializer()


class ApplicationKeyValiditySerializer(serializers.Serializer):
    valid = serializers.BooleanField(help_text="密钥存在、未轮换、已启用，且其账号已启用")
    is_active = serializers.BooleanField(help_text="密钥自身的启用状态；未知密钥为 false")
