from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from csa.api.pagination import SkipLimitPagination
from csa.api.serializers import error_responses, page_of
from tickets import selectors, services
from tickets.models import TicketStatus
from tickets.serializers import (
    TicketCreateSerializer,
    TicketListParams,
    TicketSerializer,
    TicketUpdateSerializer,
    ticket_data,
)


class TicketListView(APIView):
    pagination = SkipLimitPagination

    @extend_schema(
        parameters=[
            OpenApiParameter("status_filter", enum=TicketStatus.values, required=False),
            *SkipLimitPagination.openapi_parameters(),
        ],
        responses={200: page_of(TicketSerializer), **error_responses(401, 403, 422)},
        summary="获取工单列表",
        operation_id="tickets_list",
    )
    def get(self, request: Request) -> Response:
        params = self.pagination.params(request, TicketListParams)
        tickets, total = selectors.ticket_page(
            user=request.user,
            status=params.get("status_filter"),
            start=params["skip"],
            stop=params["skip"] + params["limit"],
        )
        return Response({"total": total, "items": [ticket_data(ticket) for ticket in tickets]})

    @extend_schema(
        request=TicketCreateSerializer,
        responses={201: TicketSerializer, **error_responses(401, 403, 415, 422)},
        summary="创建工单",
    )
    def post(self, request: Request) -> Response:
        payload = TicketCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        ticket = services.ticket_create(creator=request.user, **payload.validated_data)
        return Response(TicketSerializer(ticket).data, status=status.HTTP_201_CREATED)


class TicketDetailView(APIView):
    @extend_schema(
        responses={200: TicketSerializer, **error_responses(401, 403, 404)},
        summary="获取工单详情",
    )
    def get(self, request: Request, ticket_id: str) -> Response:
        ticket = selectors.ticket_get(user=request.user, ticket_id=ticket_id)
        return Response(TicketSerializer(ticket).data)

    @extend_schema(
        request=TicketUpdateSerializer,
        responses={200: TicketSerializer, **error_responses(400, 401, 403, 404, 415, 422)},
        summary="更新工单（仅创建者，仅待回复时）",
    )
    def put(self, request: Request, ticket_id: str) -> Response:
        payload = TicketUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        ticket = services.ticket_update(
            ticket_id=ticket_id, actor=request.user, changes=payload.validated_data
        )
        return Response(TicketSerializer(ticket).data)

    @extend_schema(responses={204: None, **error_responses(401, 403, 404)}, summary="删除工单")
    def delete(self, request: Request, ticket_id: str) -> Response:
        services.ticket_delete(ticket_id=ticket_id, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
