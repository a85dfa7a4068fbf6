import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class FileKind(models.TextChoices):
    """What an upload is, judged from its content; the value is also the stored key's suffix."""

    PDF = "pdf", "PDF 文档"
    DOC = "doc", "Word 97-2003 文档"
    DOCX = "docx", "Word 文档"
    XLS = "xls", "Excel 97-2003 工作簿"
    XLSX = "xlsx", "Excel 工作簿"
    PPT = "ppt", "PowerPoint 97-2003 演示文稿"
    PPTX = "pptx", "PowerPoint 演示文稿"
    JPG = "jpg", "JPEG 图片"
    PNG = "png", "PNG 图片"
    GIF = "gif", "GIF 图片"
    WEBP = "webp", "WebP 图片"
    ZIP = "zip", "ZIP 压缩包"
    RAR = "rar", "RAR 压缩包"
    SEVEN_Z = "7z", "7z 压缩包"
    TXT = "txt", "文本"
    CSV = "csv", "CSV 表格"
    JSON = "json", "JSON 数据"


class UploadedFile(models.Model):
    id = models.UUIDField("编号", primary_key=True, default=uuid.uuid4, editable=False)
    # PROTECT: a cascade would drop the rows and leave their stored objects behind. The console
    # refuses to delete a user with uploads, as with their other kept records.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="客户",
        on_delete=models.PROTECT,
        related_name="uploaded_files",
        db_index=False,  # the index below leads with it
    )
    filename = models.CharField("文件名", max_length=255)
    file_size = models.PositiveBigIntegerField("文件大小（字节）")
    content_type = models.CharField("文件类型", max_length=100)
    kind = models.CharField("格式", max_length=8, choices=FileKind.choices)
    tag = models.CharField("标签", max_length=50, null=True, blank=True)
    oss_key = models.CharField("存储键", max_length=255, unique=True)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "上传文件"
        verbose_name_plural = "上传文件"
        ordering = ["-created_at", "-id"]
        # A customer's files, the console's list, and the console's list by format.
        indexes = [
            models.Index(fields=["owner", "-created_at", "-id"], name="uploaded_file_owner_newest"),
            models.Index(fields=["-created_at", "-id"], name="uploaded_file_newest"),
            models.Index(fields=["kind", "-created_at", "-id"], name="uploaded_file_kind_newest"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(filename=""), name="uploaded_file_has_filename"),
            models.CheckConstraint(condition=~Q(oss_key=""), name="uploaded_file_has_oss_key"),
            models.CheckConstraint(condition=Q(file_size__gte=0), name="uploaded_file_size_valid"),
            models.CheckConstraint(
                condition=Q(kind__in=FileKind.values), name="uploaded_file_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.filename
