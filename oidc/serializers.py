from urllib.parse import urlsplit

from django.conf import settings
from rest_framework import serializers

from csa.api.messages import field_messages
from oidc.models import Client, GrantType

LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}
REDIRECT_URI_INVALID = (
    "回调地址须为完整的 https 地址（本机调试可用 http://localhost 或 http://127.0.0.1），"
    "且不含 # 片段"
)


def redirect_uri_checked(uri: str) -> str:
    """An exact redirect URI: https, or http on loopback; a host; no fragment, no user info."""
    parts = urlsplit(uri)
    scheme_ok = parts.scheme == "https" or (
        parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS
    )
    if not scheme_ok or not parts.hostname or parts.fragment or "@" in parts.netloc:
        raise serializers.ValidationError(REDIRECT_URI_INVALID)
    return uri


def distinct(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


class ClientCreateSerializer(serializers.Serializer):
    name = serializers.CharField(
        max_length=100, error_messages=field_messages("name"), help_text="客户端名称（授权页显示）"
    )
    redirect_uris = serializers.ListField(
        child=serializers.CharField(max_length=512, error_messages=field_messages("redirect_uris")),
        required=False,
        default=list,
        max_length=10,
        error_messages=field_messages("redirect_uris", not_a_list="redirect_uris必须是数组"),
        help_text="回调地址（逐字匹配）；授权码方式至少一个",
    )
    grant_types = serializers.ListField(
        child=serializers.ChoiceField(
            GrantType.values, error_messages=field_messages("grant_types")
        ),
        min_length=1,
        error_messages=field_messages("grant_types", not_a_list="grant_types必须是数组"),
        help_text="授权方式：authorization_code、refresh_token、client_credentials 的子集",
    )
    scopes = serializers.ListField(
        child=serializers.ChoiceField(
            list(settings.OAUTH2_PROVIDER["SCOPES"]), error_messages=field_messages("scopes")
        ),
        required=False,
        default=list,
        error_messages=field_messages("scopes", not_a_list="scopes必须是数组"),
        help_text="可申请的权限范围：openid、profile、email 的子集",
    )

    def validate_redirect_uris(self, uris: list[str]) -> list[str]:
        return distinct([redirect_uri_checked(uri) for uri in uris])

    def validate_grant_types(self, grant_types: list[str]) -> list[str]:
        return distinct(grant_types)

    def validate_scopes(self, scopes: list[str]) -> list[str]:
        return distinct(scopes)


class ClientSerializer(serializers.ModelSerializer):
    """A client as its owner sees it: never its secret, which only its digest is kept of."""

    redirect_uris = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(source="created")

    class Meta:
        model = Client
        fields = ["client_id", "name", "redirect_uris", "grant_types", "scopes", "created_at"]
        read_only_fields = fields

    def get_redirect_uris(self, client: Client) -> list[str]:
        return client.redirect_uris.split()


class IssuedClientSerializer(ClientSerializer):
    """A client with its new secret, shown this once."""

    client_secret = serializers.SerializerMethodField(
        help_text="客户端密钥，仅此一次显示，请妥善保存"
    )

    class Meta(ClientSerializer.Meta):
        fields = [*ClientSerializer.Meta.fields, "client_secret"]
        read_only_fields = fields

    def get_client_secret(self, client: Client) -> str:
        return self.context["client_secret"]


class AuthorizationSerializer(serializers.ModelSerializer):
    """A client the customer authorized."""

    class Meta:
        model = Client
        fields = ["client_id", "name"]
        read_only_fields = fields
