from drf_spectacular.utils import extend_schema
from rest_framework.request import Request

from csa.envelope.responses import EnvelopeResponse
from csa.envelope.schema import envelope_responses
from csa.envelope.serializers import PageParamsSerializer, page_of, pagination_of, validated
from csa.envelope.views import EnvelopeAPIView
from points import selectors, serializers, services


class BalanceView(EnvelopeAPIView):
    @extend_schema(
        responses=envelope_responses("BalanceEnvelope", serializers.BalanceSerializer(), 401, 403),
        summary="查询积分余额",
    )
    def get(self, request: Request) -> EnvelopeResponse:
        body = {"points_balance": selectors.points_balance_of(request.user)}
        return EnvelopeResponse(
            serializers.BalanceSerializer(body).data, message="查询积分余额成功"
        )


class TransactionsView(EnvelopeAPIView):
    server_error_message = "查询交易记录失败"

    @extend_schema(
        parameters=[serializers.TransactionParamsSerializer],
        responses=envelope_responses(
            "TransactionPageEnvelope", serializers.TransactionPageSerializer(), 400, 401, 403, 500
        ),
        summary="查询积分交易记录",
    )
    def get(self, request: Request) -> EnvelopeResponse:
        params = validated(serializers.TransactionParamsSerializer, request.query_params)
        page, limit = params["page"], params["limit"]
        rows, total = selectors.points_transaction_page(
            user=request.user,
            transaction_type=params.get("transaction_type"),
            start=params.get("start_date"),
            end=params.get("end_date"),
            first=(page - 1) * limit,
            stop=page * limit,
        )
        body = {
            "transactions": [serializers.transaction_data(row, request=request) for row in rows],
            "pagination": pagination_of(page=page, limit=limit, total=total),
        }
        return EnvelopeResponse(body, message="查询积分交易记录成功")


class RechargesView(EnvelopeAPIView):
    server_error_message = "查询充值记录失败"

    @extend_schema(
        parameters=[PageParamsSerializer],
        responses=envelope_responses(
            "RechargePageEnvelope", serializers.RechargePageSerializer(), 400, 401, 403, 500
        ),
        summary="查询充值记录（管理员全部，代理下级）",
    )
    def get(self, request: Request) -> EnvelopeResponse:
        params = validated(PageParamsSerializer, request.query_params)
        recharges, scope = selectors.points_recharges_visible_to(user=request.user)
        rows, pagination = page_of(recharges, page=params["page"], limit=params["limit"])
        body = serializers.RechargePageSerializer(
            {"records": rows, "pagination": pagination, "scope": scope}
        )
        return EnvelopeResponse(body.data, message="查询充值记录成功")


class RefundView(EnvelopeAPIView):
    # The refund is one database transaction: whatever failed, nothing of it was kept.
    server_error_message = "返还状态查询失败，请稍后再试"

    @extend_schema(
        request=serializers.RefundRequestSerializer,
        responses=envelope_responses(
            "RefundEnvelope", serializers.RefundSerializer(), 400, 401, 403, 404, 500
        ),
        summary="积分返还申请（失败任务的消费）",
    )
    def post(self, request: Request) -> EnvelopeResponse:
        payload = validated(serializers.RefundRequestSerializer, request.data)
        refund = services.points_refund(user=request.user, transaction_id=payload["transaction_id"])
        body = {"success": True, "points_balance": refund.balance_after}
        return EnvelopeResponse(serializers.RefundSerializer(body).data, message="积分返还成功")
