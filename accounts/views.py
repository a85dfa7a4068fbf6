from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions, selectors, serializers, services
from accounts.services import IssuedLogin, password_resets, phones
from accounts.services.password_resets import ResetAddress
from accounts.tokens import access_token_lifetime_seconds
from csa.api.serializers import error_responses
from csa.api.throttling import ClientIPThrottle, client_ip
from csa.api.views import PublicAPIView

PASSWORD_RESET = "密码重置成功"  # noqa: S105 (a message)


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
    permission_classes = [permissions.LoginSessionRequired, *APIView.permission_classes]

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


# --- SMS and password reset (v2.1) -------------------------------------------------------------


def _national(payload) -> str:
    """The 11-digit number as the request wrote it."""
    return payload.validated_data["phone_number"].removeprefix("+86")


class SendSmsCodeView(PublicAPIView):
    throttle_scope = "send_code"

    @extend_schema(
        request=serializers.SendSmsCodeSerializer,
        responses={
            200: serializers.SmsCodeSentSerializer,
            **error_responses(415, 422, 429, 500, 503),
        },
        summary="发送短信验证码（登录、绑定、更换手机号、重置密码共用）",
    )
    def post(self, request: Request) -> Response:
        payload = serializers.SendSmsCodeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        phones.portal_sms_code_send(
            phone=payload.validated_data["phone_number"], client_ip=client_ip(request)
        )
        body = {"message": "短信验证码已发送", "phone_number": _national(payload)}
        return Response(serializers.SmsCodeSentSerializer(body).data)


class SmsLoginView(PublicAPIView):
    """A number nobody has yet signs in as a new account, whose placeholder address is
    unproven; a wrong code counts towards the same lockout as a wrong password."""

    throttle_scope = "login"

    @extend_schema(
        request=serializers.SmsLoginSerializer,
        responses={
            200: serializers.SmsLoginAnswerSerializer,
            **error_responses(400, 403, 415, 422, 429),
        },
        summary="短信验证码登录（新号码自动注册）",
    )
    def post(self, request: Request) -> Response:
        payload = serializers.SmsLoginSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        login = phones.user_login_with_sms(
            request=request,
            phone=payload.validated_data["phone_number"],
            code=payload.validated_data["verification_code"],
        )
        body = {**token_response(login).data, "user": login.session.user}
        return Response(serializers.SmsLoginAnswerSerializer(body).data)


PHONE_SET_ERRORS = error_responses(400, 401, 403, 415, 422, 429)


@extend_schema_view(
    post=extend_schema(
        request=serializers.BindPhoneSerializer,
        responses={200: serializers.PhoneBoundSerializer, **PHONE_SET_ERRORS},
        summary="绑定手机号",
    )
)
class BindPhoneView(APIView):
    permission_classes = [permissions.LoginSessionRequired, *APIView.permission_classes]
    throttle_classes = [ClientIPThrottle]
    throttle_scope = "account"
    payload_class = serializers.BindPhoneSerializer
    message = "手机号绑定成功"

    def phone_set(self, **change) -> None:
        phones.user_phone_bind(**change)

    def post(self, request: Request) -> Response:
        payload = self.payload_class(data=request.data)
        payload.is_valid(raise_exception=True)
        self.phone_set(
            user=request.user,
            phone=payload.validated_data["phone_number"],
            code=payload.validated_data["verification_code"],
        )
        body = {"message": self.message, "phone_number": _national(payload)}
        return Response(serializers.PhoneBoundSerializer(body).data)


@extend_schema_view(
    post=extend_schema(
        request=serializers.ChangePhoneSerializer,
        responses={200: serializers.PhoneBoundSerializer, **PHONE_SET_ERRORS},
        summary="更换手机号（验证码发送至新号码）",
    )
)
class ChangePhoneView(BindPhoneView):
    payload_class = serializers.ChangePhoneSerializer
    message = "手机号码修改成功"

    def phone_set(self, **change) -> None:
        phones.user_phone_change(**change)


class SmsPasswordResetView(PublicAPIView):
    throttle_scope = "login"

    @extend_schema(
        request=serializers.SmsPasswordResetSerializer,
        responses={
            200: serializers.MessageSerializer,
            **error_responses(400, 404, 415, 422, 429),
        },
        summary="短信验证码重置密码（所有登录随之失效）",
    )
    def post(self, request: Request) -> Response:
        payload = serializers.SmsPasswordResetSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        phones.user_password_reset_by_sms(
            request=request,
            phone=payload.validated_data["phone_number"],
            code=payload.validated_data["verification_code"],
            new_password=payload.validated_data["new_password"],
        )
        return Response(serializers.MessageSerializer({"message": PASSWORD_RESET}).data)


class SendResetCodeView(PublicAPIView):
    """Answers the same whether or not the address is a proven account's; only such an
    address is sent a code."""

    throttle_scope = "send_code"

    @extend_schema(
        request=serializers.SendResetCodeSerializer,
        responses={200: serializers.CodeSentSerializer, **error_responses(415, 422, 429, 500, 503)},
        summary="发送密码重置邮件验证码",
    )
    def post(self, request: Request) -> Response:
        payload = serializers.SendResetCodeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        to = ResetAddress.email(payload.validated_data["email"])
        password_resets.password_reset_code_send(to=to, client_ip=client_ip(request))
        body = {"message": "如该邮箱已注册，重置验证码已发送", "email": to.address}
        return Response(serializers.CodeSentSerializer(body).data)


class EmailPasswordResetView(PublicAPIView):
    throttle_scope = "login"

    @extend_schema(
        request=serializers.EmailPasswordResetSerializer,
        responses={200: serializers.MessageSerializer, **error_responses(400, 415, 422, 429)},
        summary="邮箱验证码重置密码（所有登录随之失效）",
    )
    def post(self, request: Request) -> Response:
        payload = serializers.EmailPasswordResetSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        password_resets.user_password_reset(
            request=request,
            to=ResetAddress.email(payload.validated_data["email"]),
            code=payload.validated_data["verification_code"],
            new_password=payload.validated_data["new_password"],
        )
        return Response(serializers.MessageSerializer({"message": PASSWORD_RESET}).data)


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
