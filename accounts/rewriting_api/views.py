from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request

from accounts import selectors
from accounts.rewriting_api import serializers
from accounts.rewriting_api.permissions import IsAdminRole, MayChangePoints, MayChangeRates
from accounts.services import IssuedLogin, rewriting, user_agent_of
from csa.api.throttling import client_ip
from csa.envelope.responses import EnvelopeResponse
from csa.envelope.schema import envelope_responses
from csa.envelope.serializers import page_of, validated
from csa.envelope.views import EnvelopeAPIView, PublicEnvelopeAPIView


def _session_answer(login: IssuedLogin, message: str) -> EnvelopeResponse:
    body = {
        "user": login.session.user,
        "session": {
            "access_token": login.access_token,
            "refresh_token": login.refresh_token,
            "expires_at": login.access_token_expires_at,
        },
    }
    return EnvelopeResponse(serializers.LoginAnswerSerializer(body).data, message=message)


def _logout_refresh_token(request: Request) -> str:
    """The `refresh_token` header as documented; servers and proxies drop header names with an
    underscore, so `Refresh-Token` (the same once parsed) and a JSON body field work too."""
    header = request.META.get("HTTP_REFRESH_TOKEN", "")
    body = request.data.get("refresh_token") if isinstance(request.data, dict) else None
    return (header or (body if isinstance(body, str) else "")).strip()


class OtpView(PublicEnvelopeAPIView):
    throttle_scope = "send_code"
    server_error_message = "验证码发送失败"

    @extend_schema(
        request=serializers.OtpRequestSerializer,
        responses=envelope_responses("OtpSentEnvelope", None, 400, 404, 409, 429, 500, 503),
        summary="发送短信验证码",
    )
    def post(self, request: Request) -> EnvelopeResponse:
        payload = validated(serializers.OtpRequestSerializer, request.data)
        rewriting.phone_code_send(**payload, client_ip=client_ip(request))
        return EnvelopeResponse(None, message="验证码发送成功")


class RegisterView(PublicEnvelopeAPIView):
    throttle_scope = "register"

    @extend_schema(
        request=serializers.RegisterRequestSerializer,
        responses=envelope_responses(
            "RegisteredEnvelope", serializers.RegisteredUserSerializer(), 400, 404, 409, 429
        ),
        summary="用户注册",
    )
    def post(self, request: Request) -> EnvelopeResponse:
        user = rewriting.user_register(
            **validated(serializers.RegisterRequestSerializer, request.data)
        )
        user = selectors.user_for_answer(user_id=user.pk)
        return EnvelopeResponse(serializers.RegisteredUserSerializer(user).data, message="注册成功")


class LoginView(PublicEnvelopeAPIView):
    throttle_scope = "login"

    @extend_schema(
        request=serializers.LoginRequestSerializer,
        responses=envelope_responses(
            "LoggedInEnvelope", serializers.LoginAnswerSerializer(), 400, 401, 403, 404, 429
        ),
        summary="用户登录（用户名密码或手机号验证码）",
    )
    def post(self, request: Request) -> EnvelopeResponse:
        credentials = validated(serializers.LoginRequestSerializer, request.data)
        if credentials.get("phone"):
            login = rewriting.user_login_with_phone(
                request=request,
                phone=credentials["phone"],
                verification_code=credentials["verification_code"],
            )
        else:
            login = rewriting.user_login_with_password(
                request=request, username=credentials["username"], password=credentials["password"]
            )
        return _session_answer(login, "登录成功")


class RefreshView(PublicEnvelopeAPIView):
    """Trades a refresh token for a new session; the old session ends. The same token sent again
    within a few seconds (two tabs refreshing at once) answers the same new session; sent again
    later, it is taken as stolen and every session of that login ends."""

    throttle_scope = "login"

    @extend_schema(
        request=serializers.RefreshRequestSerializer,
        responses=envelope_responses(
            "RefreshedEnvelope", serializers.LoginAnswerSerializer(), 400, 401, 429
        ),
        summary="刷新登录会话",
    )
    def post(self, request: Request) -> EnvelopeResponse:
        payload = validated(serializers.RefreshRequestSerializer, request.data)
        login = rewriting.login_session_refresh(
            refresh_token=payload["refresh_token"],
            client_ip=client_ip(request),
            user_agent=user_agent_of(request),
        )
        return _session_answer(login, "刷新成功")


class UserListView(EnvelopeAPIView):
    """Admins see everyone (`scope: all`), agents their direct invitees (`scope: downline`).
    `phone` and `username` are case-insensitive substrings, both given both must match; `keyword`
    matches username, e-mail or phone. `total` counts every match."""

    server_error_message = "获取用户列表失败"

    @extend_schema(
        parameters=[serializers.UserListParamsSerializer],
        responses=envelope_responses(
            "UserListEnvelope", serializers.UserListSerializer(), 400, 401, 403
        ),
        summary="查询用户列表",
    )
    def get(self, request: Request) -> EnvelopeResponse:
        params = validated(serializers.UserListParamsSerializer, request.query_params)
        page, limit = params.pop("page"), params.pop("limit")
        users, scope = selectors.users_visible_to(user=request.user, **params)
        rows, pagination = page_of(users, page=page, limit=limit)
        body = {
            "users": rows,
            "total": pagination["total"],
            "scope": scope,
            "page": page,
            "limit": limit,
        }
        return EnvelopeResponse(
            serializers.UserListSerializer(body).data, message="获取用户列表成功"
        )


class UpdateRoleView(EnvelopeAPIView):
    permission_classes = [IsAuthenticated, IsAdminRole]
    server_error_message = "更新用户角色失败"

    @extend_schema(
        request=serializers.UpdateRoleRequestSerializer,
        responses=envelope_responses(
            "RoleUpdatedEnvelope", serializers.RoleChangedUserSerializer(), 400, 401, 403, 404
        ),
        summary="管理员修改用户角色",
    )
    def post(self, request: Request) -> EnvelopeResponse:
        payload = validated(serializers.UpdateRoleRequestSerializer, request.data)
        target, previous_role = rewriting.user_role_update(
            user=selectors.user_for_admin_change(user_uuid=payload["target_user_id"]),
            role=payload["role"],
        )
        answer = serializers.RoleChangedUserSerializer(
            target, context={"previous_role": previous_role}
        )
        message = "角色更新成功" if previous_role != target.role else "角色已是最新状态"
        return EnvelopeResponse(answer.data, message=message)


class UpdateRateView(EnvelopeAPIView):
    """Admins only: a user's rate, the points one yuan buys (0 to 10, three places at most).
    The answer carries `previous_rate`; an unchanged rate is a success too."""

    permission_classes = [IsAuthenticated, MayChangeRates]
    server_error_message = "更新用户费率失败"

    @extend_schema(
        request=serializers.UpdateRateRequestSerializer,
        responses=envelope_responses(
            "RateUpdatedEnvelope", serializers.RateChangedUserSerializer(), 400, 401, 403, 404
        ),
        summary="管理员修改用户费率（每元可购积分）",
    )
    def post(self, request: Request) -> EnvelopeResponse:
        payload = validated(serializers.UpdateRateRequestSerializer, request.data)
        target, previous_rate = rewriting.user_rate_update(
            user=selectors.user_for_admin_change(user_uuid=payload["target_user_id"]),
            rate=payload["rate"],
        )
        answer = serializers.RateChangedUserSerializer(
            target, context={"previous_rate": previous_rate}
        )
        message = "费率更新成功" if previous_rate != target.rate else "费率已是最新状态"
        return EnvelopeResponse(answer.data, message=message)


class UpdatePointsView(EnvelopeAPIView):
    """Admins only: a signed change of a user's points, written to the ledger as one `recharge`
    row in the same locked transaction as the balance. It may not take the balance below zero,
    counting points held for running tasks."""

    permission_classes = [IsAuthenticated, MayChangePoints]
    server_error_message = "更新用户积分失败"

    @extend_schema(
        request=serializers.UpdatePointsRequestSerializer,
        responses=envelope_responses(
            "PointsUpdatedEnvelope", serializers.ChangedUserSerializer(), 400, 401, 403, 404
        ),
        summary="管理员增减用户积分（记入积分流水）",
    )
    def post(self, request: Request) -> EnvelopeResponse:
        payload = validated(serializers.UpdatePointsRequestSerializer, request.data)
        target = selectors.user_for_admin_change(user_uuid=payload["target_user_id"])
        rewriting.user_points_update(
            admin=request.user,
            user=target,
            amount=payload["amount"],
            description=payload.get("description"),
        )
        target = selectors.user_for_answer(user_id=target.pk)
        return EnvelopeResponse(
            serializers.ChangedUserSerializer(target).data, message="积分更新成功"
        )


class LogoutView(PublicEnvelopeAPIView):
    """Ends the session; an expired or unknown access token is already logged out, so it
    succeeds too, as the document says."""

    missing_token_status = 400

    @extend_schema(
        request=None,
        responses=envelope_responses("LoggedOutEnvelope", None, 400),
        summary="退出登录",
    )
    def post(self, request: Request) -> EnvelopeResponse:
        authorization = request.META.get("HTTP_AUTHORIZATION", "").strip()
        if not authorization:
            raise exceptions.NotAuthenticated()
        rewriting.user_logout(
            session=selectors.login_session_for_authorization(authorization),
            refresh_token=_logout_refresh_token(request),
        )
        return EnvelopeResponse(None, message="退出登录成功")


class ChangePasswordView(EnvelopeAPIView):
    missing_token_status = 400
    server_error_message = "密码更新失败"

    @extend_schema(
        request=serializers.ChangePasswordRequestSerializer,
        responses=envelope_responses("PasswordChangedEnvelope", None, 400, 401, 403),
        summary="修改密码",
    )
    def post(self, request: Request) -> EnvelopeResponse:
        payload = validated(serializers.ChangePasswordRequestSerializer, request.data)
        rewriting.user_password_replace(user=request.user, **payload)
        return EnvelopeResponse(None, message="密码修改成功，请重新登录")


class ForgotPasswordView(PublicEnvelopeAPIView):
    """Sends a reset code to the login phone, or to the e-mail address if it is proven. The
    answer is the same whether or not the number or address is an account's."""

    throttle_scope = "send_code"
    server_error_message = "验证码发送失败"

    @extend_schema(
        request=serializers.ForgotPasswordRequestSerializer,
        responses=envelope_responses("ResetCodeSentEnvelope", None, 400, 429, 500, 503),
        summary="忘记密码：发送重置验证码（手机号或已验证邮箱）",
    )
    def post(self, request: Request) -> EnvelopeResponse:
        payload = validated(serializers.ForgotPasswordRequestSerializer, request.data)
        rewriting.password_reset_code_send(
            phone=payload.get("phone"), email=payload.get("email"), client_ip=client_ip(request)
        )
        return EnvelopeResponse(None, message="如该账号已注册，验证码已发送")


class ResetPasswordView(PublicEnvelopeAPIView):
    """Sets a new password with the reset code; every session of the account ends."""

    throttle_scope = "login"
    server_error_message = "密码重置失败"

    @extend_schema(
        request=serializers.ResetPasswordRequestSerializer,
        responses=envelope_responses("PasswordResetEnvelope", None, 400, 429),
        summary="忘记密码：用验证码重置密码",
    )
    def post(self, request: Request) -> EnvelopeResponse:
        payload = validated(serializers.ResetPasswordRequestSerializer, request.data)
        rewriting.user_password_reset(
            request=request,
            phone=payload.get("phone"),
            email=payload.get("email"),
            verification_code=payload["verification_code"],
            new_password=payload["new_password"],
        )
        return EnvelopeResponse(None, message="密码重置成功，请重新登录")
