from django.conf import settings
from django.http import FileResponse
from drf_spectacular.utils import extend_schema
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request

from accounts.rewriting_api.permissions import MayReadStatistics
from csa.api.serializers import error_responses
from csa.api.views import DOWNLOAD_LINK_INVALID, PublicDownloadView
from csa.envelope.responses import EnvelopeResponse
from csa.envelope.schema import envelope_responses, enveloped
from csa.envelope.serializers import PageParamsSerializer, validated
from csa.envelope.views import EnvelopeAPIView
from csa.errors import ForbiddenError, NotFoundError
from points.selectors import points_balance_of
from rewriting import selectors, serializers, services, snapshots
from rewriting.documents.files import document_size_check
from rewriting.documents.stored import CONTENT_TYPE as DOCX_CONTENT_TYPE
from rewriting.documents.stored import document_file_open, document_link_target


class ReduceTaskView(EnvelopeAPIView):
    @extend_schema(
        request=serializers.ReduceTaskRequestSerializer,
        responses=envelope_responses(
            "TaskSubmittedEnvelope",
            serializers.SubmittedTaskSerializer(),
            400,
            401,
            403,
            500,
            502,
            503,
        ),
        summary="提交降重或降AI率任务",
    )
    def post(self, request: Request) -> EnvelopeResponse:
        payload = validated(serializers.ReduceTaskRequestSerializer, request.data)
        submission = services.rewriting_task_submit(
            user=request.user,
            text=payload["text"],
            platform=payload["platform"],
            task_type=payload["type"],
        )
        return EnvelopeResponse(
            serializers.SubmittedTaskSerializer(submission).data, message="任务提交成功"
        )


class TaskResultView(EnvelopeAPIView):
    @extend_schema(
        request=serializers.TaskResultRequestSerializer,
        responses=envelope_responses(
            "TaskResultEnvelope", serializers.TaskResultSerializer(), 400, 401, 403, 404, 500
        ),
        summary="查询任务结果",
    )
    def post(self, request: Request) -> EnvelopeResponse:
        payload = validated(serializers.TaskResultRequestSerializer, request.data)
        task = selectors.rewriting_task_of(
            user=request.user, service=payload["service"], upstream_task_id=payload["taskId"]
        )
        task = services.rewriting_task_current(task=task)
        return EnvelopeResponse(serializers.TaskResultSerializer(task).data, message="查询成功")


class PointsRulesView(EnvelopeAPIView):
    @extend_schema(
        request=None,
        responses=envelope_responses(
            "PointsRulesEnvelope", serializers.PointsRulesSerializer(), 401, 403, 500
        ),
        summary="查询用户积分与计费规则",
    )
    def post(self, request: Request) -> EnvelopeResponse:
        rate = settings.POINTS_COST_PER_1000_CHARS
        body = {
            "points_balance": points_balance_of(request.user),
            "task_cost": rate,
            "cost_per_1000_chars": rate,
        }
        return EnvelopeResponse(serializers.PointsRulesSerializer(body).data, message="查询成功")


class SnapshotDownloadView(PublicDownloadView):
    """A task's text snapshot in local storage, through the signed link transactions carry."""

    @extend_schema(
        responses={(200, "text/plain"): bytes, **error_responses(403, 404, 429)},
        summary="查看改写任务文本快照（本地存储的签名链接）",
    )
    def get(self, request: Request, token: str) -> FileResponse:
        key = snapshots.snapshot_link_key(token)
        if key is None:
            raise ForbiddenError(DOWNLOAD_LINK_INVALID)
        try:
            content = snapshots.snapshot_open(key)
        except FileNotFoundError as exc:
            raise NotFoundError("文件不存在") from exc
        return FileResponse(content, content_type=snapshots.CONTENT_TYPE)


BAD_UPLOAD = "请求体格式错误，应为 multipart/form-data（file、rewrite_type）"


class DocumentUploadView(EnvelopeAPIView):
    parser_classes = [MultiPartParser, FormParser]
    bad_body_message = BAD_UPLOAD

    @extend_schema(
        request={"multipart/form-data": serializers.DocumentUploadRequestSerializer},
        responses=envelope_responses(
            "DocumentUploadEnvelope",
            serializers.DocumentUploadSerializer(),
            400,
            401,
            403,
            503,
        ),
        summary="上传 .docx 文档整篇改写（积分先冻结，首个片段受理时扣除）",
    )
    def post(self, request: Request) -> EnvelopeResponse:
        payload = validated(serializers.DocumentUploadRequestSerializer, request.data)
        upload = payload["file"]
        document_size_check(upload.size)  # refused before it is read
        accepted = services.rewriting_document_upload(
            user=request.user,
            data=upload.read(),
            file_name=upload.name,
            platform=payload["platform"],
            task_type=payload["rewrite_type"],
        )
        return EnvelopeResponse(
            serializers.DocumentUploadSerializer(accepted).data, message="文档已上传，等待处理"
        )


class DocumentStateView(EnvelopeAPIView):
    @extend_schema(
        request=serializers.DocumentStateRequestSerializer,
        responses=envelope_responses(
            "DocumentStateEnvelope", serializers.DocumentStateSerializer(), 400, 401, 403, 404
        ),
        summary="查询文档改写进度（仅本人订单）",
    )
    def post(self, request: Request) -> EnvelopeResponse:
        payload = validated(serializers.DocumentStateRequestSerializer, request.data)
        state = selectors.rewriting_document_state(
            user=request.user, order_id=payload["order_id"], request=request
        )
        return EnvelopeResponse(serializers.DocumentStateSerializer(state).data, message="查询成功")


PARAGRAPH_GOES_ON = "改写仍在进行，请稍后用 /ai/result（service、taskId）查询结果"


class ParagraphView(EnvelopeAPIView):
    @extend_schema(
        request=serializers.ParagraphRequestSerializer,
        responses={
            **envelope_responses(
                "ParagraphEnvelope",
                serializers.ParagraphSerializer(),
                400,
                401,
                403,
                500,
                502,
                503,
            ),
            202: enveloped("ParagraphPendingEnvelope", serializers.ParagraphSerializer()),
        },
        summary="段落即时改写（等待上游有时限；超时返回 202 与任务ID）",
    )
    def post(self, request: Request) -> EnvelopeResponse:
        payload = validated(serializers.ParagraphRequestSerializer, request.data)
        rewrite = services.rewriting_paragraph_rewrite(
            user=request.user,
            text=payload["text"],
            platform=payload["platform"],
            task_type=payload["type"],
        )
        data = serializers.ParagraphSerializer(rewrite).data
        if rewrite.done:
            return EnvelopeResponse(data, message="改写完成")
        return EnvelopeResponse(data, message=PARAGRAPH_GOES_ON, status=202, code=202)


class WordsCountView(EnvelopeAPIView):
    permission_classes = [IsAuthenticated, MayReadStatistics]

    @extend_schema(
        parameters=[PageParamsSerializer],
        responses=envelope_responses(
            "WordsCountEnvelope", serializers.WordsCountPageSerializer(), 400, 401, 403
        ),
        summary="文档字数统计（仅管理员）",
    )
    def get(self, request: Request) -> EnvelopeResponse:
        params = validated(PageParamsSerializer, request.query_params)
        rows, pagination = selectors.rewriting_documents_counted(
            page=params["page"], limit=params["limit"]
        )
        body = {
            "records": serializers.WordsCountSerializer(rows, many=True).data,
            "pagination": pagination,
        }
        return EnvelopeResponse(body, message="查询成功")


class DocumentDownloadView(PublicDownloadView):
    """A rewritten document in local storage, through the signed link its state carries."""

    @extend_schema(
        responses={(200, DOCX_CONTENT_TYPE): bytes, **error_responses(403, 404, 429)},
        summary="下载改写后的文档（本地存储的签名链接）",
    )
    def get(self, request: Request, token: str) -> FileResponse:
        target = document_link_target(token)
        if target is None:
            raise ForbiddenError(DOWNLOAD_LINK_INVALID)
        key, name = target
        try:
            content = document_file_open(key)
        except FileNotFoundError as exc:
            raise NotFoundError("文件不存在") from exc
        return FileResponse(
            content, as_attachment=True, filename=name, content_type=DOCX_CONTENT_TYPE
        )
