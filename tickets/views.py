from django.conf import settings
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from csa.api.exceptions import BODY_TOO_LARGE
from csa.api.pagination import SkipLimitPagination
from csa.api.parsers import JSONParser
from csa.api.serializers import (
    DownloadUrlSerializer,
    download_url_answer,
    error_responses,
    page_of,
)
from csa.api.throttling import ClientIPThrottle
from csa.api.views import DOWNLOAD_LINK_INVALID, PublicDownloadView
from csa.errors import ApplicationError, ForbiddenError
from csa.storage import stored_file_response
from tickets import selectors, services
from tickets.models import TicketStatus
from tickets.selectors import TicketState
from tickets.serializers import (
    TicketCloseSerializer,
    TicketCreateSerializer,
    TicketListParams,
    TicketMessageBodySerializer,
    TicketMessageFormSerializer,
    TicketMessageSerializer,
    TicketSerializer,
    TicketUpdateSerializer,
    ticket_data,
)

# A multipart body's boundaries and part headers, beside the files themselves.
MULTIPART_OVERHEAD_BYTES = 64 * 1024


class TicketListView(APIView):
    pagination = SkipLimitPagination

    @extend_schema(
        parameters=[
            OpenApiParameter("status_filter", enum=TicketStatus.values, required=False),
            OpenApiParameter(
                "state_filter",
                enum=TicketState.values,
                required=False,
                description="open：未关闭；closed：已关闭（可与 status_filter 同用）",
            ),
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
            state=params.get("state_filter"),
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


# --- the conversation -------------------------------------------------------------------------


class TicketMessagesView(APIView):
    parser_classes = [JSONParser, MultiPartParser]
    pagination = SkipLimitPagination
    throttle_classes = [ClientIPThrottle]
    throttle_scope = "ticket_message"

    def get_throttles(self) -> list:
        # Writing is throttled; reading the thread (which clients poll) is not.
        return super().get_throttles() if self.request.method == "POST" else []

    @extend_schema(
        parameters=SkipLimitPagination.openapi_parameters(),
        responses={
            200: page_of(TicketMessageSerializer),
            **error_responses(401, 403, 404, 422),
        },
        summary="获取工单的对话消息（最早的在前）",
        operation_id="tickets_messages_list",
    )
    def get(self, request: Request, ticket_id: str) -> Response:
        ticket = selectors.ticket_get(user=request.user, ticket_id=ticket_id)
        paginator = self.pagination()
        messages = paginator.paginate_queryset(selectors.ticket_messages(ticket=ticket), request)
        return paginator.get_paginated_response(TicketMessageSerializer(messages, many=True).data)

    @extend_schema(
        request={
            "application/json": TicketMessageBodySerializer,
            "multipart/form-data": TicketMessageFormSerializer,
        },
        responses={
            201: TicketMessageSerializer,
            **error_responses(400, 401, 403, 404, 413, 415, 422, 429, 503),
        },
        summary="在工单中发送消息（仅创建者，可带附件）",
    )
    def post(self, request: Request, ticket_id: str) -> Response:
        _body_size_check(request.META.get("CONTENT_LENGTH"))
        payload = TicketMessageFormSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        message = services.ticket_message_post(
            ticket_id=ticket_id,
            author=request.user,
            body=payload.validated_data["body"],
            files=payload.validated_data["attachments"],
        )
        return Response(TicketMessageSerializer(message).data, status=status.HTTP_201_CREATED)


def _body_size_check(content_length: str | None) -> None:
    """413 for a body that cannot hold a message's files within their limits, known from its
    length before Django writes the files to disk."""
    length = int(content_length) if content_length and content_length.isdecimal() else 0
    limit = settings.TICKET_ATTACHMENTS_PER_MESSAGE * settings.TICKET_ATTACHMENT_MAX_BYTES
    if length > limit + MULTIPART_OVERHEAD_BYTES:
        raise ApplicationError(BODY_TOO_LARGE, status_code=413)


class TicketCloseView(APIView):
    @extend_schema(
        request=TicketCloseSerializer,
        responses={200: TicketSerializer, **error_responses(401, 403, 404, 415, 422)},
        summary="关闭工单（创建者或客服；仅客服可最终关闭）",
    )
    def post(self, request: Request, ticket_id: str) -> Response:
        payload = TicketCloseSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        ticket = services.ticket_close(
            ticket_id=ticket_id, actor=request.user, final=payload.validated_data["final"]
        )
        return Response(TicketSerializer(ticket).data)


class TicketReopenView(APIView):
    @extend_schema(
        request=None,
        responses={200: TicketSerializer, **error_responses(400, 401, 403, 404)},
        summary="重新打开已关闭的工单",
    )
    def post(self, request: Request, ticket_id: str) -> Response:
        ticket = services.ticket_reopen(ticket_id=ticket_id, actor=request.user)
        return Response(TicketSerializer(ticket).data)


class TicketAttachmentDownloadUrlView(APIView):
    @extend_schema(
        request=None,
        responses={200: DownloadUrlSerializer, **error_responses(401, 403, 404, 503)},
        summary="获取工单附件的下载链接",
    )
    def post(self, request: Request, ticket_id: str, attachment_id: str) -> Response:
        ticket = selectors.ticket_get(user=request.user, ticket_id=ticket_id)
        attachment = selectors.ticket_attachment_get(ticket=ticket, attachment_id=attachment_id)
        url = selectors.ticket_attachment_download_url(attachment=attachment, request=request)
        return Response(download_url_answer(url))


class TicketAttachmentDownloadView(PublicDownloadView):
    """The local-storage download link: the signature in the URL is the credential."""

    @extend_schema(
        # The attachment's own type (application/pdf, image/png, …).
        responses={(200, "*/*"): OpenApiTypes.BINARY, **error_responses(403, 404, 429)},
        summary="下载工单附件（本地存储的签名链接）",
    )
    def get(self, request: Request, token: str) -> FileResponse:
        attachment_id = selectors.ATTACHMENT_LINK.file_id(token)
        if attachment_id is None:
            raise ForbiddenError(DOWNLOAD_LINK_INVALID)
        attachment = selectors.ticket_attachment_find(attachment_id=attachment_id)
        return stored_file_response(
            key=attachment.oss_key,
            filename=attachment.filename,
            content_type=attachment.content_type,
        )
