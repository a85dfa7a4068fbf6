from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from csa import storage as stored_files
from csa.api.pagination import SkipLimitPagination
from csa.api.serializers import DownloadUrlSerializer, download_url_answer, error_responses
from csa.api.views import DOWNLOAD_LINK_INVALID, PublicDownloadView
from csa.errors import ForbiddenError
from projects import selectors
from projects.serializers import (
    FileFilterSerializer,
    ProjectFileSerializer,
    ProjectLinkSerializer,
    ProjectSerializer,
    ProjectTaskSerializer,
    TaskFilterSerializer,
)
from projects.storage import DOWNLOAD_LINK


class ProjectItemsPagination(SkipLimitPagination):
    default_limit = 100
    max_limit = 500


class MyProjectsView(generics.ListAPIView):
    serializer_class = ProjectSerializer
    pagination_class = SkipLimitPagination

    def get_queryset(self):
        return selectors.project_list_for_owner(user=self.request.user)

    @extend_schema(
        responses={200: ProjectSerializer(many=True), **error_responses(401, 403, 422)},
        summary="获取我的项目列表",
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


class ProjectDetailView(APIView):
    @extend_schema(
        responses={200: ProjectSerializer, **error_responses(401, 403, 404)},
        summary="获取项目详情",
    )
    def get(self, request: Request, project_id: str) -> Response:
        project = selectors.project_get(user=request.user, project_id=project_id)
        return Response(ProjectSerializer(project).data)


class ProjectItemsView(generics.ListAPIView):
    """A list that belongs to one project the caller may read, filtered by `filter_class`."""

    pagination_class = ProjectItemsPagination
    filter_class: type | None = None

    def get_queryset(self):
        project_id = self.kwargs["project_id"]
        project = selectors.project_get(user=self.request.user, project_id=project_id)
        filters = {}
        if self.filter_class is not None:
            params = self.filter_class(data=self.request.query_params)
            params.is_valid(raise_exception=True)
            filters = params.validated_data
        return self.list_items(project=project, **filters)


class ProjectFilesView(ProjectItemsView):
    serializer_class = ProjectFileSerializer
    filter_class = FileFilterSerializer
    list_items = staticmethod(selectors.project_file_list)

    @extend_schema(
        parameters=[
            OpenApiParameter("filename", str, description="按文件名筛选（模糊匹配，不区分大小写）"),
            OpenApiParameter("tag", str, description="按标签筛选（精确匹配）"),
        ],
        responses={200: ProjectFileSerializer(many=True), **error_responses(401, 403, 404, 422)},
        summary="获取项目文件列表",
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


class ProjectLinksView(ProjectItemsView):
    serializer_class = ProjectLinkSerializer
    list_items = staticmethod(selectors.project_link_list)

    @extend_schema(
        responses={200: ProjectLinkSerializer(many=True), **error_responses(401, 403, 404, 422)},
        summary="获取项目链接列表",
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


class ProjectTasksView(ProjectItemsView):
    serializer_class = ProjectTaskSerializer
    filter_class = TaskFilterSerializer
    list_items = staticmethod(selectors.project_task_list)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "status", str, enum=["pending", "completed"], description="按状态筛选"
            ),
        ],
        responses={200: ProjectTaskSerializer(many=True), **error_responses(401, 403, 404, 422)},
        summary="获取项目任务列表",
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


class FileDownloadUrlView(APIView):
    @extend_schema(
        request=None,
        responses={200: DownloadUrlSerializer, **error_responses(401, 403, 404, 503)},
        summary="获取文件下载预签名URL",
    )
    def post(self, request: Request, file_id: str) -> Response:
        project_file = selectors.project_file_get(user=request.user, file_id=file_id)
        url = stored_files.download_url(
            key=project_file.oss_key,
            file_id=project_file.pk,
            filename=project_file.filename,
            content_type=project_file.content_type,
            link=DOWNLOAD_LINK,
            request=request,
        )
        return Response(download_url_answer(url))


class FileDownloadView(PublicDownloadView):
    """The local-storage download link: the signature in the URL is the credential."""

    @extend_schema(
        # The file's own type (application/pdf, image/png, …), whatever it was uploaded as.
        responses={(200, "*/*"): OpenApiTypes.BINARY, **error_responses(403, 404, 429)},
        summary="下载文件（本地存储的签名链接）",
    )
    def get(self, request: Request, token: str) -> FileResponse:
        file_id = DOWNLOAD_LINK.file_id(token)
        if file_id is None:
            raise ForbiddenError(DOWNLOAD_LINK_INVALID)
        project_file = selectors.project_file_find(file_id=file_id)
        return stored_files.stored_file_response(
            key=project_file.oss_key,
            filename=project_file.filename,
            content_type=project_file.content_type,
        )
