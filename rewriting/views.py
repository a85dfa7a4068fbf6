from django.conf import settings
from django.http import FileResponse
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request

from csa.api.serializers import error_responses
from csa.api.views import DOWNLOAD_LINK_INVALID, PublicDownloadView
from csa.envelope.responses import EnvelopeResponse
from csa.envelope.schema import envelope_responses
from csa.envelope.serializers import validated
from csa.envelope.views import EnvelopeAPIView
from csa.errors import ForbiddenError, NotFoundError
from points.selectors import points_balance_of
from rewriting import selectors, serializers, services, snapshots


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
