"""Online recharge: starting a payment, the gateways' notifications, the customer's orders."""

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request

from accounts.models import Role, User
from csa.envelope.responses import EnvelopeResponse
from csa.envelope.schema import envelope_errors, envelope_responses
from csa.envelope.serializers import page_of, validated
from csa.envelope.views import EnvelopeAPIView
from payments import selectors, serializers, services
from payments.gateways import (
    InvalidNotification,
    NotConfigured,
    gateway_for,
)
from payments.models import RETRIED_OUTCOMES, Channel, OrderStatus

logger = logging.getLogger(__name__)


def return_url_default() -> str:
    return settings.PAYMENTS_PUBLIC_BASE_URL.rstrip("/") + "/alipay/return"


def alipay_checkout(request: Request, payload: dict, *, beneficiary: User) -> HttpResponse:
    """The page that takes the customer's browser to Alipay for a new order."""
    _, checkout = services.order_checkout(
        payer=request.user,
        beneficiary=beneficiary,
        channel=serializers.DEVICES[payload["device"]],
        amount=payload["total_amount"],
        subject=payload.get("subject", ""),
        return_url=payload.get("return_url") or return_url_default(),
    )
    response = HttpResponse(checkout.html, content_type="text/html; charset=utf-8")
    response._csp_update = checkout.csp  # django-csp: what this one page adds to the policy
    return response


ALIPAY_PAGE_RESPONSES = {
    (200, "text/html"): OpenApiResponse(
        OpenApiTypes.STR,
        description="自动提交到支付宝的 HTML 表单页（表单 name=alipaysubmit），不是信封",
    ),
}


class MayPayForOthers(BasePermission):
    message = selectors.FOR_OTHERS_FORBIDDEN

    def has_permission(self, request, view) -> bool:
        return request.user.role in (Role.AGENT, Role.ADMIN)


class AlipayPayView(EnvelopeAPIView):
    """Buy points for oneself at one's own rate: answers an HTML page, not the envelope."""

    server_error_message = "创建订单失败"

    @extend_schema(
        request=serializers.AlipayPayRequestSerializer,
        responses={**ALIPAY_PAGE_RESPONSES, **envelope_errors(400, 401, 403, 500)},
        summary="支付宝充值积分（返回支付表单页）",
    )
    def post(self, request: Request) -> HttpResponse:
        payload = validated(serializers.AlipayPayRequestSerializer, request.data)
        return alipay_checkout(request, payload, beneficiary=request.user)


class AlipayPayForDownlineView(EnvelopeAPIView):
    """An agent buys points for a direct invitee (an admin for anyone) at the payer's rate."""

    permission_classes = [IsAuthenticated, MayPayForOthers]
    server_error_message = "创建订单失败"

    @extend_schema(
        request=serializers.AlipayPayForDownlineRequestSerializer,
        responses={
            **ALIPAY_PAGE_RESPONSES,
            **envelope_errors(400, 401, 403, 404, 500),
        },
        summary="代理为下级支付宝充值（返回支付表单页）",
    )
    def post(self, request: Request) -> HttpResponse:
        payload = validated(serializers.AlipayPayForDownlineRequestSerializer, request.data)
        beneficiary = selectors.beneficiary_for(
            payer=request.user, user_uuid=payload["target_user_id"]
        )
        return alipay_checkout(request, payload, beneficiary=beneficiary)


class WeChatNativeView(EnvelopeAPIView):
    """A WeChat Pay order whose QR code the client shows; with `target_user_id`, an agent's
    order for an invitee."""

    server_error_message = "创建订单失败"

    @extend_schema(
        request=serializers.WeChatNativeRequestSerializer,
        responses=envelope_responses(
            "WeChatNativeEnvelope",
            serializers.NativeCheckoutSerializer(),
            400,
            401,
            403,
            404,
            500,
            503,
        ),
        summary="微信扫码充值积分（返回二维码内容）",
    )
    def post(self, request: Request) -> EnvelopeResponse:
        payload = validated(serializers.WeChatNativeRequestSerializer, request.data)
        beneficiary = request.user
        if "target_user_id" in payload:
            beneficiary = selectors.beneficiary_for(
                payer=request.user, user_uuid=payload["target_user_id"]
            )
        order, checkout = services.order_checkout(
            payer=request.user,
            beneficiary=beneficiary,
            channel=Channel.WECHAT_NATIVE,
            amount=payload["total_amount"],
            subject=payload.get("subject", ""),
        )
        order.code_url = checkout.code_url
        return EnvelopeResponse(
            serializers.NativeCheckoutSerializer(order).data,
            message="订单已创建，请使用微信扫码支付",
        )


@method_decorator(csrf_exempt, name="dispatch")
class NotifyView(View):
    """A gateway's server-to-server word that a trade was paid: verified, then settled."""

    gateway_name = ""

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            gateway = gateway_for(self.gateway_name)
        except NotConfigured:
            return HttpResponse(services.NOT_CONFIGURED, status=503, content_type="text/plain")
        try:
            trade = gateway.notified_trade(request)
        except InvalidNotification as exc:
            logger.warning("%s notification refused: %s", self.gateway_name, exc)
            return gateway.acknowledge(accepted=False)
        outcome = services.order_settle(gateway=gateway, trade=trade, source="notify")
        return gateway.acknowledge(accepted=outcome not in RETRIED_OUTCOMES)


class AlipayReturnView(View):
    """Where Alipay sends the customer's browser after paying. It credits nothing (only a
    notification or a query does): it shows the order as it stands and looks again shortly."""

    def get(self, request: HttpRequest) -> HttpResponse:
        order = selectors.order_for_return_page(
            out_trade_no=request.GET.get("out_trade_no", "")[:64]
        )
        context = {
            "order": order,
            "pending": order is not None and order.status == OrderStatus.PENDING,
        }
        return render(request, "payments/return.html", context, status=200 if order else 404)


class OrdersView(EnvelopeAPIView):
    server_error_message = "查询充值订单失败"

    @extend_schema(
        parameters=[serializers.OrderParamsSerializer],
        responses=envelope_responses(
            "OrderPageEnvelope", serializers.OrderPageSerializer(), 400, 401, 403, 500
        ),
        summary="我的充值订单（最新在前）",
    )
    def get(self, request: Request) -> EnvelopeResponse:
        params = validated(serializers.OrderParamsSerializer, request.query_params)
        orders = selectors.orders_of(user=request.user, status=params.get("status"))
        rows, pagination = page_of(orders, page=params["page"], limit=params["limit"])
        body = {"orders": rows, "pagination": pagination}
        return EnvelopeResponse(
            serializers.OrderPageSerializer(body).data, message="查询充值订单成功"
        )


class OrderView(EnvelopeAPIView):
    server_error_message = "查询订单失败"

    @extend_schema(
        responses=envelope_responses("OrderEnvelope", serializers.OrderSerializer(), 401, 403, 404),
        summary="查询一个充值订单（支付后确认是否到账）",
    )
    def get(self, request: Request, out_trade_no: str) -> EnvelopeResponse:
        order = selectors.order_of(user=request.user, out_trade_no=out_trade_no)
        if order.status == OrderStatus.PENDING:
            services.order_query_soon(order=order)
        return EnvelopeResponse(serializers.OrderSerializer(order).data, message="查询订单成功")
