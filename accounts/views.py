from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, serializers, services
from accounts.services import IssuedLogin
from accounts.tokens import access_token_lifetime_seconds
from csa.api.serializers import error_responses
from csa.api.throttling import client_ip
from csa.api.views import PublicAPIView


def token_response(login: IssuedLogin) -> Response:
    body = {
        "access_token": login.access_token,
        "token_type": "bearer",
        "expires_in": access_token_lifetime_seconds(),
    }
    return Response(serializers.TokenSerializer(body).data)


class SendCodeView(PublicAPIView):
    throttle_scope = "send_code"

    @extend_schema(
        request=serializers.SendCodeSerializer,
        responses={200: serializers.CodeSentSerializer, **error_responses(415, 422, 429, 500, 503)},
        summary="发送邮箱验证码",
    )
    def post(self, request: Request) -> Response:
        payload = serializers.SendCodeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        email = services.registration_code_send(
            email=payload.validated_data["email"], client_ip=client_ip(request)
        )
        body = {"message": "验证码已发送", "email": email}
        return Response(serializers.CodeSentSerializer(body).data)


class RegisterView(PublicAPIView):
    throttle_scope = "register"

    @extend_schema(
        request=serializers.RegisterSerializer,
        responses={201: serializers.UserSerializer, **error_responses(400, 415, 422, 429)},
        summary="用户注册",
    )
    def post(self, request: Request) -> Response:
        payload = serializers.RegisterSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        user = services.user_register_with_email(**payload.validated_data)
        return Response(serializers.UserSerializer(user).data, status=status.HTTP_201_CREATED)


class LoginView(PublicAPIView):
    throttle_scope = "login"

    @extend_schema(
        request=serializers.LoginSerializer,
        responses={200: serializers.TokenSerializer, **error_responses(401, 403, 415, 422, 429)},
        summary="用户登录（JSON）",
    )
    def post(self, request: Request) -> Response:
        payload = serializers.LoginSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        login = services.user_login_with_email(request=request, **payload.validated_data)
        return token_response(login)


class TokenView(PublicAPIView):
    throttle_scope = "login"
    parser_classes = [FormParser, MultiPartParser]

    @extend_schema(
        request={"application/x-www-form-urlencoded": serializers.TokenFormSerializer},
        responses={200: serializers.TokenSerializer, **error_responses(401, 403, 415, 422, 429)},
        summary="用户登录（OAuth2 密码模式，username 填写邮箱）",
    )
    def post(self, request: Request) -> Response:
        payload = serializers.TokenFormSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        login = services.user_login_with_email(
            request=request,
            email=payload.validated_data["username"],
            password=payload.validated_data["password"],
        )
        return token_response(login)


class MeView(APIView):
    @extend_schema(
        responses={200: serializers.UserSerializer, **error_responses(401, 403)},
        summary="获取当前用户信息",
    )
    def get(self, request: Request) -> Response:
        return Response(serializers.UserSerializer(request.user).data)


class MyProfileView(MeView):
    @extend_schema(
        request=serializers.ProfileUpdateSerializer,
        responses={200: serializers.UserSerializer, **error_responses(400, 401, 403, 415, 422)},
        summary="更新当前用户资料",
    )
    def patch(self, request: Request) -> Response:
        payload = serializers.ProfileUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        user = services.user_profile_update(user=request.user, changes=payload.validated_data)
        return Response(serializers.UserSerializer(user).data)


class PasswordChangeView(APIView):
    @extend_schema(
        request=serializers.PasswordChangeSerializer,
        responses={200: serializers.MessageSerializer, **error_responses(400, 401, 403, 415, 422)},
        summary="修改当前用户密码",
    )
    def post(self, request: Request) -> Response:
        payload = serializers.PasswordChangeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.user_password_change(
            user=request.user,
            current_password=payload.validated_data["old_password"],
            new_password=payload.validated_data["new_password"],
        )
        return Response(serializers.MessageSerializer({"message": "密码修改成功"}).data)


# --- business accounts --------------------------------------------------------------------


class MyBusinessAccountView(APIView):
    @extend_schema(
        responses={200: serializers.BusinessAccountSerializer, **error_responses(401, 403, 404)},
        summary="获取当前用户的业务账号",
    )
    def get(self, request: Request) -> Response:
        account = selectors.business_account_for_owner(user=request.user)
        return Response(serializers.BusinessAccountSerializer(account).data)

    @extend_schema(
        request=serializers.BusinessAccountDetailsSerializer,
        responses={
            200: serializers.BusinessAccountSerializer,
            **error_responses(400, 401, 403, 404, 415, 422),
        },
        summary="更新当前用户的业务账号资料",
    )
    def patch(self, request: Request) -> Response:
        account = selectors.business_account_for_owner(user=request.user)
        payload = serializers.BusinessAccountDetailsSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        account = services.business_account_update(
            account=account, actor=request.user, changes=payload.validated_data
        )
        return Response(serializers.BusinessAccountSerializer(account).data)


class BusinessAccountApplyView(APIView):
    @extend_schema(
        request=serializers.BusinessAccountDetailsSerializer,
        responses={
            201: serializers.BusinessAccountSerializer,
            **error_responses(400, 401, 403, 415, 422),
        },
        summary="申请创建业务账号",
    )
    def post(self, request: Request) -> Response:
        payload = serializers.BusinessAccountDetailsSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        account = services.business_account_apply(owner=request.user, fields=payload.validated_data)
        return Response(
            serializers.BusinessAccountSerializer(account).data, status=status.HTTP_201_CREATED
        )


class BusinessAccountDetailView(APIView):
    @extend_schema(
        responses={200: serializers.BusinessAccountSerializer, **error_responses(401, 403, 404)},
        summary="获取业务账号详情",
    )
    def get(self, request: Request, account_id: str) -> Response:
        account = selectors.business_account_get(user=request.user, account_id=account_id)
        return Response(serializers.BusinessAccountSerializer(account).data)
