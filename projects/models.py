import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class Project(models.Model):
    id = models.UUIDField("编号", primary_key=True, default=uuid.uuid4, editable=False)
    # PROTECT: a customer's delivered work outlives a mistaken click on their account.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="客户",
        on_delete=models.PROTECT,
        related_name="projects",
    )
    name = models.CharField("项目名称", max_length=200)
    description = models.TextField("项目描述", null=True, blank=True)
    overview_markdown = models.TextField("项目概述（Markdown）", blank=True, default="")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "项目"
        verbose_name_plural = "项目"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"])]

    def __str__(self) -> str:
        return self.name


class ProjectFile(models.Model):
    id = models.UUIDField("编号", primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(
        Project, verbose_name="项目", on_delete=models.CASCADE, related_name="files"
    )
    filename = models.CharField("文件名", max_length=255)
    file_size = models.PositiveBigIntegerField("文件大小（字节）")
    content_type = models.CharField("文件类型", max_length=255)
    tag = models.CharField("标签", max_length=50, null=True, blank=True)
    oss_key = models.CharField("存储键", max_length=1024, unique=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "项目文件"
        verbose_name_plural = "项目文件"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["project", "-created_at"])]
        constraints = [
            models.CheckConstraint(condition=~Q(filename=""), name="project_file_has_filename"),
            models.CheckConstraint(condition=~Q(oss_key=""), name="project_file_has_oss_key"),
        ]

    def __str__(self) -> str:
        return self.filename


class ProjectLink(models.Model):
    id = models.UUIDField("编号", primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(
        Project, verbose_name="项目", on_delete=models.CASCADE, related_name="links"
    )
    title = models.CharField("链接标题", max_length=200)
    url = models.URLField("链接地址", max_length=2048)
    description = models.TextField("链接描述", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "项目链接"
        verbose_name_plural = "项目链接"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["project", "-created_at"])]

    def __str__(self) -> str:
        return self.title


class TaskStatus(models.TextChoices):
    PENDING = "pending", "未完成"
    COMPLETED = "completed", "已完成"


class ProjectTask(models.Model):
    id = models.UUIDField("编号", primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(
        Project, verbose_name="项目", on_delete=models.CASCADE, related_name="tasks"
    )
    title = models.CharField("任务标题", max_length=200)
    description = models.TextField("任务描述", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=16, choices=TaskStatus.choices, default=TaskStatus.PENDING
    )
    completed_at = models.DateTimeField("完成时间", null=True, blank=True, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "项目任务"
        verbose_name_plural = "项目任务"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["project", "status", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=TaskStatus.values), name="project_task_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=TaskStatus.COMPLETED, completed_at__isnull=False)
                | Q(status=TaskStatus.PENDING, completed_at__isnull=True),
                name="project_task_completed_at_matches_status",
            ),
        ]

    def __str__(self) -> str:
        return self.title
