from rest_framework import serializers

from contracts.models import Contract
from csa.api.messages import field_messages


class ContractSerializer(serializers.ModelSerializer):
    owner_email = serializers.EmailField(source="owner.email", read_only=True)

    class Meta:
        model = Contract
        fields = [
            "id",
            "owner_email",
            "title",
            "content_markdown",
            "is_signed",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class SignStatusSerializer(serializers.Serializer):
    is_signed = serializers.BooleanField(
        error_messages=field_messages("签署状态", invalid="签署状态必须是布尔值")
    )
