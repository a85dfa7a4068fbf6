from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.application_keys import serializers
from accounts.permissions import LoginSessionRequired
from accounts.services import IssuedApplicationKey
from csa.api.serializers import error_responses
from csa.api.throttling import ClientIPThrottle
from csa.api.views import PublicAPIView


def issued_response(message: str, issued: IssuedApplicationKey) -> Response:
    body = {"message": message, "application_key": issued}
    return Response(serializers.ApplicationKeyIssuedSerializer(body).data)


class ApplicationKeyManagementView(APIView):
    """A customer's own key, managed from a real sign-in only: a key cannot make, show, rotate
    or restart keys."""

    permission_classes = [LoginSessionRequired, *api_settings.DEFAULT_PERMISSION_CLASSES]
    throttle_classes = [ClientIPThrottle]
    throttle_scope = "account"


class ApplicationKeyCreateView(ApplicationKeyManagementView):
    @extend_schema(
        request=serializers.ApplicationKeyCreateSerializer,
        responses={
            200: serializers.ApplicationKeyIssuedSerializer,
            **error_responses(400, 401, 403, 415, 422, 429),
        },
        summary="创建应用密钥（完整密钥仅此一次显示）",
    )
    def post(self, request: Request) -> Response:
        payload = serializers.ApplicationKeyCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        issued = services.application_key_create(
            owner=request.user, can_write=payload.validated_data["can_write"]
        )
        return issued_response("应用密钥创建成功", issued)


class ApplicationKeyInfoView(ApplicationKeyManagementView):
    @extend_schema(
        responses={
            200: serializers.ApplicationKeySerializer,
            **error_responses(401, 403, 404, 429),
        },
        summary="获取应用密钥信息（只显示前缀）",
    )
    def get(self, request: Request) -> Response:
        record = selectors.application_key_live_of(user=request.user)
        return Response(serializers.ApplicationKeySerializer(record).data)


class ApplicationKeyRotateView(ApplicationKeyManagementView):
    @extend_schema(
        request=None,
        responses={
            200: serializers.ApplicationKeyIssuedSerializer,
            **error_responses(401, 403, 404, 409, 429),
        },
        summary="轮换应用密钥（旧密钥立即失效）",
    )
    def post(self, request: Request) -> Response:
        issued = services.application_key_rotate(owner=request.user)
        return issued_response("应用密钥已轮换", issued)


class ApplicationKeyStatusView(ApplicationKeyManagementView):
    @extend_schema(
        request=serializers.ApplicationKeyStatusSerializer,
        responses={
            200: serializers.ApplicationKeyStatusSetSerializer,
            **error_responses(401, 403, 404, 409, 415, 422, 429),
        },
        summary="启用或停用应用密钥",
    )
    def put(self, request: Request) -> Response:
        payload = serializers.ApplicationKeyStatusSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        is_active = payload.validated_data["is_active"]
        record = services.application_key_active_set(owner=request.user, is_active=is_active)
        body = {
            "message": "应用密钥已启用" if is_active else "应用密钥已停用",
            "application_key": record,
        }
        return Response(serializers.ApplicationKeyStatusSetSerializer(body).data)


class ApplicationKeyValidateView(PublicAPIView):
    """Whether a key works, for anyone holding it; never whose it is. A key nobody has counts
    towards the client address's sign-in lockout, as at the API itself."""

    throttle_scope = "key_validate"

    @extend_schema(
        parameters=[serializers.ApplicationKeyValidateParams],
        responses={
            200: serializers.ApplicationKeyValiditySerializer,
            **error_responses(422, 429),
        },
        summary="校验应用密钥是否有效",
    )
    def get(self, request: Request) -> Response:
        params = serializers.ApplicationKeyValidateParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        record = services.application_key_presented(
            request=request, key=params.validated_data["key"]
        )
        body = {
            "valid": selectors.application_key_usable(record),
            "is_active": record is not None and record.is_active,
        }
        return Response(serializers.ApplicationKeyValiditySerializer(body).data)
