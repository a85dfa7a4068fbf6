from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from accounts import selectors
from accounts.passkeys import serializers
from accounts.permissions import LoginSessionRequired
from accounts.services import passkeys
from accounts.views import token_response
from csa.api.serializers import error_responses
from csa.api.throttling import ClientIPThrottle
from csa.api.views import PublicAPIView


class PasskeyManagementView(APIView):
    """A customer's own passkeys, managed from a real sign-in only: an application key cannot
    add a way to sign in, nor take one away."""

    permission_classes = [LoginSessionRequired, *api_settings.DEFAULT_PERMISSION_CLASSES]
    throttle_classes = [ClientIPThrottle]
    throttle_scope = "account"


class RegistrationOptionsView(PasskeyManagementView):
    @extend_schema(
        responses={
            200: serializers.RegistrationOptionsSerializer,
            **error_responses(401, 403, 429, 503),
        },
        summary="获取通行密钥注册选项（传给 navigator.credentials.create）",
    )
    def get(self, request: Request) -> Response:
        return Response(passkeys.passkey_registration_begin(user=request.user))


class RegisterView(PasskeyManagementView):
    @extend_schema(
        request=serializers.PasskeyRegisterSerializer,
        responses={
            200: serializers.PasskeyRegisteredSerializer,
            **error_responses(400, 401, 403, 415, 422, 429, 503),
        },
        summary="注册通行密钥（提交浏览器返回的凭据）",
    )
    def post(self, request: Request) -> Response:
        payload = serializers.PasskeyRegisterSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        credential = payload.validated_data
        record = passkeys.passkey_register(
            user=request.user,
            raw_id=credential["rawId"],
            client_data_json=credential["response"]["clientDataJSON"],
            attestation_object=credential["response"]["attestationObject"],
            transports=credential["response"]["transports"],
            nickname=credential.get("nickname"),
        )
        body = {"message": "通行密钥注册成功", "credential": record}
        return Response(serializers.PasskeyRegisteredSerializer(body).data)


class AuthenticationOptionsView(PublicAPIView):
    @extend_schema(
        responses={
            200: serializers.AuthenticationOptionsSerializer,
            **error_responses(429, 503),
        },
        summary="获取通行密钥登录选项（传给 navigator.credentials.get）",
    )
    def get(self, request: Request) -> Response:
        return Response(passkeys.passkey_authentication_begin())


class AuthenticateView(PublicAPIView):
    """A failed assertion counts towards the same lockout as a wrong password."""

    throttle_scope = "login"

    @extend_schema(
        request=serializers.PasskeyAuthenticateSerializer,
        responses={
            200: serializers.PasskeyLoginAnswerSerializer,
            **error_responses(400, 403, 415, 422, 429, 503),
        },
        summary="通行密钥登录",
    )
    def post(self, request: Request) -> Response:
        payload = serializers.PasskeyAuthenticateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        assertion = payload.validated_data
        login = passkeys.passkey_sign_in(
            request=request,
            raw_id=assertion["credential_id"],
            client_data_json=assertion["client_data_json"],
            authenticator_data=assertion["authenticator_data"],
            signature=assertion["signature"],
            user_handle=assertion.get("user_handle") or None,
        )
        body = {**token_response(login).data, "user": login.session.user}
        return Response(serializers.PasskeyLoginAnswerSerializer(body).data)


class CredentialListView(PasskeyManagementView):
    @extend_schema(
        responses={
            200: serializers.PasskeySerializer(many=True),
            **error_responses(401, 403, 429),
        },
        summary="列出我的通行密钥（主通行密钥在前）",
    )
    def get(self, request: Request) -> Response:
        records = selectors.passkeys_of(user=request.user)
        return Response(serializers.PasskeySerializer(records, many=True).data)


def changed_response(message: str, record) -> Response:
    body = {"message": message, "credential": record}
    return Response(serializers.PasskeyChangedSerializer(body).data)


class CredentialNicknameView(PasskeyManagementView):
    @extend_schema(
        request=serializers.PasskeyNicknameSerializer,
        responses={
            200: serializers.PasskeyChangedSerializer,
            **error_responses(401, 403, 404, 415, 422, 429),
        },
        summary="重命名通行密钥",
    )
    def put(self, request: Request, passkey_id: str) -> Response:
        payload = serializers.PasskeyNicknameSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        record = selectors.passkey_of(user=request.user, passkey_id=passkey_id)
        record = passkeys.passkey_rename(record=record, nickname=payload.validated_data["nickname"])
        return changed_response("通行密钥名称已更新", record)


class CredentialPrimaryView(PasskeyManagementView):
    @extend_schema(
        request=None,
        responses={
            200: serializers.PasskeyChangedSerializer,
            **error_responses(401, 403, 404, 429),
        },
        summary="设为主通行密钥",
    )
    def put(self, request: Request, passkey_id: str) -> Response:
        record = selectors.passkey_of(user=request.user, passkey_id=passkey_id)
        record = passkeys.passkey_primary_set(record=record)
        return changed_response("已设为主通行密钥", record)


class CredentialDeleteView(PasskeyManagementView):
    @extend_schema(
        responses={204: None, **error_responses(401, 403, 404, 429)},
        summary="删除通行密钥（删除主通行密钥时，最新的另一个成为主通行密钥）",
    )
    def delete(self, request: Request, passkey_id: str) -> Response:
        record = selectors.passkey_of(user=request.user, passkey_id=passkey_id)
        passkeys.passkey_delete(record=record)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ToggleView(PasskeyManagementView):
    @extend_schema(
        request=serializers.PasskeyToggleSerializer,
        responses={
            200: serializers.PasskeyLoginToggledSerializer,
            **error_responses(401, 403, 415, 422, 429),
        },
        summary="开启或关闭通行密钥登录",
    )
    def put(self, request: Request) -> Response:
        payload = serializers.PasskeyToggleSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        enabled = payload.validated_data["enabled"]
        passkeys.passkey_login_enabled_set(user=request.user, enabled=enabled)
        body = {
            "message": "已开启通行密钥登录" if enabled else "已关闭通行密钥登录",
            "enabled": enabled,
        }
        return Response(serializers.PasskeyLoginToggledSerializer(body).data)
