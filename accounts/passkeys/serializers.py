import base64
import binascii
import re

from rest_framework import serializers

from accounts.models import PasskeyCredential
from accounts.serializers import TokenSerializer, UserSerializer
from csa.api.messages import field_messages

BASE64URL = re.compile(r"[A-Za-z0-9_-]*={0,2}")
# Enough for what an authenticator sends: ids of at most 1023 bytes, attestation certificates.
SHORT = 2048
LONG = 32768


class Base64URLField(serializers.CharField):
    """Bytes as WebAuthn's JSON writes them, base64url with or without padding."""

    def __init__(self, label: str, *, max_length: int = SHORT, **kwargs) -> None:
        kwargs.setdefault(
            "error_messages", field_messages(label, invalid=f"{label}须为base64url编码")
        )
        super().__init__(max_length=max_length, trim_whitespace=False, **kwargs)

    def to_internal_value(self, data) -> bytes:
        text = super().to_internal_value(data)
        if not BASE64URL.fullmatch(text):
            self.fail("invalid")
        try:
            return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        except (binascii.Error, ValueError):
            self.fail("invalid")


class JSONBooleanField(serializers.BooleanField):
    """`true` or `false` as JSON writes them; not "yes", 1 or "on"."""

    def to_internal_value(self, data) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


def nickname_field(**kwargs) -> serializers.CharField:
    return serializers.CharField(
        max_length=64,
        help_text="通行密钥名称，最多64个字符",
        error_messages=field_messages("nickname"),
        **kwargs,
    )


class AttestationResponseSerializer(serializers.Serializer):
    clientDataJSON = Base64URLField("clientDataJSON")
    attestationObject = Base64URLField("attestationObject", max_length=LONG)
    transports = serializers.ListField(
        child=serializers.CharField(max_length=32),
        max_length=10,
        required=False,
        default=list,
        error_messages=field_messages("transports", not_a_list="transports必须是数组"),
    )


class PasskeyRegisterSerializer(serializers.Serializer):
    """`PublicKeyCredential.toJSON()` of `navigator.credentials.create()`, plus a name."""

    id = serializers.CharField(max_length=SHORT, error_messages=field_messages("id"))
    rawId = Base64URLField("rawId")
    type = serializers.ChoiceField(choices=["public-key"], error_messages=field_messages("type"))
    response = AttestationResponseSerializer()
    nickname = nickname_field(required=False, allow_null=True)

    def validate(self, attrs: dict) -> dict:
        raw_id = base64.urlsafe_b64encode(attrs["rawId"]).rstrip(b"=").decode()
        if attrs["id"].rstrip("=") != raw_id:
            raise serializers.ValidationError("id与rawId不一致")
        return attrs


class PasskeyAuthenticateSerializer(serializers.Serializer):
    credential_id = Base64URLField("credential_id", help_text="凭据ID（rawId），base64url")
    authenticator_data = Base64URLField("authenticator_data")
    client_data_json = Base64URLField("client_data_json")
    signature = Base64URLField("signature")
    user_handle = Base64URLField(
        "user_handle",
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="可发现凭据返回的 userHandle（注册时的 user.id）",
    )


class PasskeyNicknameSerializer(serializers.Serializer):
    nickname = nickname_field()


class PasskeyToggleSerializer(serializers.Serializer):
    enabled = JSONBooleanField(
        help_text="是否允许用通行密钥登录",
        error_messages=field_messages("enabled", invalid="enabled必须是布尔值"),
    )


class PasskeySerializer(serializers.ModelSerializer):
    class Meta:
        model = PasskeyCredential
        fields = [
            "id",
            "credential_id",
            "nickname",
            "is_primary",
            "sign_count",
            "last_used_at",
            "created_at",
        ]
        read_only_fields = fields


class RegisteredPasskeySerializer(serializers.ModelSerializer):
    class Meta:
        model = PasskeyCredential
        fields = ["id", "credential_id", "nickname", "is_primary", "created_at"]
        read_only_fields = fields


class PasskeyRegisteredSerializer(serializers.Serializer):
    message = serializers.CharField()
    credential = RegisteredPasskeySerializer()


class PasskeyChangedSerializer(serializers.Serializer):
    message = serializers.CharField()
    credential = PasskeySerializer()


class PasskeyLoginToggledSerializer(serializers.Serializer):
    message = serializers.CharField()
    enabled = serializers.BooleanField()


class PasskeyLoginAnswerSerializer(TokenSerializer):
    user = UserSerializer()


# --- the options, as the browser's WebAuthn calls take them (documentation only) ----------------


class RelyingPartySerializer(serializers.Serializer):
    name = serializers.CharField()
    id = serializers.CharField(help_text="WEBAUTHN_RP_ID，站点域名")


class WebAuthnUserSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="用户公开编号（uuid）的16个字节，base64url；即 userHandle")
    name = serializers.CharField()
    displayName = serializers.CharField()


class CredentialParameterSerializer(serializers.Serializer):
    type = serializers.CharField()
    alg = serializers.IntegerField(help_text="COSE 算法编号，如 -7（ES256）")


class CredentialDescriptorSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="凭据ID，base64url")
    type = serializers.CharField()
    transports = serializers.ListField(child=serializers.CharField(), required=False)


class AuthenticatorSelectionSerializer(serializers.Serializer):
    residentKey = serializers.CharField()
    requireResidentKey = serializers.BooleanField()
    userVerification = serializers.CharField()


class RegistrationOptionsSerializer(serializers.Serializer):
    """PublicKeyCredentialCreationOptions, bytes as base64url."""

    challenge = serializers.CharField()
    rp = RelyingPartySerializer()
    user = WebAuthnUserSerializer()
    pubKeyCredParams = CredentialParameterSerializer(many=True)
    timeout = serializers.IntegerField(help_text="毫秒")
    excludeCredentials = CredentialDescriptorSerializer(many=True)
    authenticatorSelection = AuthenticatorSelectionSerializer()
    attestation = serializers.CharField()


class AuthenticationOptionsSerializer(serializers.Serializer):
    """PublicKeyCredentialRequestOptions, bytes as base64url."""

    challenge = serializers.CharField()
    timeout = serializers.IntegerField(help_text="毫秒")
    rpId = serializers.CharField()
    allowCredentials = CredentialDescriptorSerializer(many=True, help_text="为空：可发现凭据")
    userVerification = serializers.CharField()
