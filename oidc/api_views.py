"""The portal's OAuth routes (/api/oauth/…): a customer's own clients, and the clients they
authorized."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from accounts.permissions import LoginSessionRequired
from csa.api.serializers import error_responses
from csa.api.throttling import ClientIPThrottle
from oidc import selectors, serializers, services
from oidc.services import IssuedClientSecret


def issued_response(issued: IssuedClientSecret, *, status_code: int) -> Response:
    context = {"client_secret": issued.client_secret}
    body = serializers.IssuedClientSerializer(issued.client, context=context).data
    return Response(body, status=status_code)


class OAuthAccountView(APIView):
    """What a customer grants programs, managed from a real sign-in only, as application keys
    are: a key cannot make clients or withdraw authorizations."""

    permission_classes = [LoginSessionRequired, *api_settings.DEFAULT_PERMISSION_CLASSES]
    throttle_classes = [ClientIPThrottle]
    throttle_scope = "account"


class ClientListView(OAuthAccountView):
    @extend_schema(
        responses={
            200: serializers.ClientSerializer(many=True),
            **error_responses(401, 403, 429),
        },
        summary="我的 OAuth 客户端",
    )
    def get(self, request: Request) -> Response:
        clients = selectors.clients_of(user=request.user)
        return Response(serializers.ClientSerializer(clients, many=True).data)

    @extend_schema(
        request=serializers.ClientCreateSerializer,
        responses={
            201: serializers.IssuedClientSerializer,
            **error_responses(401, 403, 415, 422, 429),
        },
        summary="登记 OAuth 客户端（密钥仅此一次显示）",
    )
    def post(self, request: Request) -> Response:
        payload = serializers.ClientCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        issued = services.client_create(owner=request.user, **payload.validated_data)
        return issued_response(issued, status_code=status.HTTP_201_CREATED)


class ClientDetailView(OAuthAccountView):
    @extend_schema(
        responses={200: serializers.ClientSerializer, **error_responses(401, 403, 404, 429)},
        summary="OAuth 客户端详情",
    )
    def get(self, request: Request, client_id: str) -> Response:
        client = selectors.client_of(user=request.user, client_id=client_id)
        return Response(serializers.ClientSerializer(client).data)

    @extend_schema(
        responses={204: None, **error_responses(401, 403, 404, 429)},
        summary="删除 OAuth 客户端（其令牌全部失效）",
    )
    def delete(self, request: Request, client_id: str) -> Response:
        client = selectors.client_of(user=request.user, client_id=client_id)
        services.client_delete(client=client)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ClientSecretRotateView(OAuthAccountView):
    @extend_schema(
        request=None,
        responses={200: serializers.IssuedClientSerializer, **error_responses(401, 403, 404, 429)},
        summary="轮换客户端密钥（旧密钥立即失效，新密钥仅此一次显示）",
    )
    def post(self, request: Request, client_id: str) -> Response:
        client = selectors.client_of(user=request.user, client_id=client_id)
        issued = services.client_secret_rotate(client=client)
        return issued_response(issued, status_code=status.HTTP_200_OK)


class AuthorizationListView(OAuthAccountView):
    @extend_schema(
        responses={
            200: serializers.AuthorizationSerializer(many=True),
            **error_responses(401, 403, 429),
        },
        summary="我授权过的应用",
    )
    def get(self, request: Request) -> Response:
        clients = selectors.authorized_clients_of(user=request.user)
        return Response(serializers.AuthorizationSerializer(clients, many=True).data)


class AuthorizationDetailView(OAuthAccountView):
    @extend_schema(
        responses={204: None, **error_responses(401, 403, 404, 429)},
        summary="撤销对某应用的授权（其令牌全部失效）",
    )
    def delete(self, request: Request, client_id: str) -> Response:
        client = selectors.authorized_client_of(user=request.user, client_id=client_id)
        services.authorization_revoke(user=request.user, client=client)
        return Response(status=status.HTTP_204_NO_CONTENT)
