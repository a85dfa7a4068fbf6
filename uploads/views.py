from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import ParseError
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from csa.api.serializers import DownloadUrlSerializer, download_url_answer, error_responses
from csa.api.throttling import ClientIPThrottle
from csa.api.views import DOWNLOAD_LINK_INVALID, PublicDownloadView
from csa.errors import ApplicationError, ForbiddenError
from csa.storage import stored_file_response
from uploads import selectors, services
from uploads.serializers import FileUploadSerializer, UploadedFileSerializer

TAGS = ["uploads"]
BAD_BODY = "请求体格式错误，应为 multipart/form-data（file、tag）"


class UploadView(APIView):
    parser_classes = [MultiPartParser]
    throttle_classes = [ClientIPThrottle]
    throttle_scope = "upload"

    def initial(self, request: Request, *args, **kwargs) -> None:
        # Before anything reads the body: Django would write an oversized one to disk first.
        services.upload_body_size_check(request.META.get("CONTENT_LENGTH"))
        super().initial(request, *args, **kwargs)

    @extend_schema(
        request={"multipart/form-data": FileUploadSerializer},
        responses={
            201: UploadedFileSerializer,
            **error_responses(400, 401, 403, 413, 415, 422, 429, 503),
        },
        summary="上传文件（按内容判断类型）",
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        try:
            body = request.data
        except ParseError as exc:
            raise ApplicationError(BAD_BODY, status_code=422) from exc
        payload = FileUploadSerializer(data=body)
        payload.is_valid(raise_exception=True)
        uploaded_file = services.uploaded_file_create(
            owner=request.user,
            upload=payload.validated_data["file"],
            tag=payload.validated_data.get("tag"),
        )
        answer = UploadedFileSerializer(uploaded_file, context={"request": request})
        return Response(answer.data, status=201)


class UploadedFileDownloadUrlView(APIView):
    throttle_classes = [ClientIPThrottle]
    throttle_scope = "upload"

    @extend_schema(
        request=None,
        responses={200: DownloadUrlSerializer, **error_responses(401, 403, 404, 429, 503)},
        summary="获取上传文件的下载链接",
        tags=TAGS,
    )
    def post(self, request: Request, file_id: str) -> Response:
        uploaded_file = selectors.uploaded_file_get(user=request.user, file_id=file_id)
        url = selectors.uploaded_file_download_url(uploaded_file=uploaded_file, request=request)
        return Response(download_url_answer(url))


class UploadedFileDownloadView(PublicDownloadView):
    """The local-storage download link: the signature in the URL is the credential."""

    @extend_schema(
        # The file's own type (application/pdf, image/png, …).
        responses={(200, "*/*"): OpenApiTypes.BINARY, **error_responses(403, 404, 429)},
        summary="下载上传文件（本地存储的签名链接）",
        tags=TAGS,
    )
    def get(self, request: Request, token: str) -> FileResponse:
        file_id = selectors.DOWNLOAD_LINK.file_id(token)
        if file_id is None:
            raise ForbiddenError(DOWNLOAD_LINK_INVALID)
        uploaded_file = selectors.uploaded_file_find(file_id=file_id)
        return stored_file_response(
            key=uploaded_file.oss_key,
            filename=uploaded_file.filename,
            content_type=uploaded_file.content_type,
        )
