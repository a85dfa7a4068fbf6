from rest_framework import serializers

from contact.models import EMAIL_MAX_LENGTH, MESSAGE_MAX_LENGTH, NAME_MAX_LENGTH, ContactMessage
from csa.api.messages import field_messages


class ContactMessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContactMessage
        fields = ["id", "name", "email", "message", "is_processed", "admin_notes", "created_at"]
        read_only_fields = fields


class ContactMessageSubmitSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=NAME_MAX_LENGTH, error_messages=field_messages("称呼"))
    # No format check: the API document accepts any text here.
    email = serializers.CharField(
        max_length=EMAIL_MAX_LENGTH, error_messages=field_messages("邮箱")
    )
    message = serializers.CharField(
        max_length=MESSAGE_MAX_LENGTH, error_messages=field_messages("留言内容")
    )
    # The documented camelCase name, read into `turnstile_token`. No length limit here: an
    # overlong token is Turnstile's refusal (400), not a form error.
    turnstileToken = serializers.CharField(
        source="turnstile_token", error_messages=field_messages("人机验证令牌")
    )
