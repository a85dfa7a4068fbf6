from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from csa.api.messages import field_messages
from uploads.models import UploadedFile
from uploads.selectors import uploaded_file_download_url
from uploads.services import upload_limit_text


class FileUploadSerializer(serializers.Serializer):
    # An empty file is the service's to refuse (400), with the other refusals of its content.
    file = serializers.FileField(
        allow_empty_file=True,
        error_messages=field_messages("file", no_name="file格式不正确"),
        help_text=f"要上传的文件，最大 {upload_limit_text()}",
    )
    tag = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        max_length=50,
        error_messages=field_messages("tag"),
        help_text="标签（可选）",
    )


class UploadedFileSerializer(serializers.ModelSerializer):
    # Needs the request in its context, for the download link.
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = UploadedFile
        fields = [
            "id",
            "filename",
            "file_size",
            "content_type",
            "tag",
            "oss_key",
            "download_url",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, uploaded_file: UploadedFile) -> str:
        return uploaded_file_download_url(
            uploaded_file=uploaded_file, request=self.context["request"]
        )
