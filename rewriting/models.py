from django.conf import settings
from django.db import models
from django.db.models import Q

from points.models import PointsTransaction, points_field


class Platform(models.TextChoices):
    ZHIWANG = "zhiwang", "知网"
    WEIPU = "weipu", "维普"


class TaskType(models.TextChoices):
    REDUCE_PLAGIARISM = "reduce-plagiarism", "降重"
    REDUCE_AI_RATE = "reduce-ai-rate", "降AI率"


class Service(models.TextChoices):
    REDUCEAI = "reduceai", "REDUCEAI"
    CHEEYUAN = "cheeyuan", "CHEEYUAN"


class TaskStatus(models.TextChoices):
    # Points held, the vendor being asked. Clients never see this state: they learn of a task
    # only once the vendor took it.
    SUBMITTING = "submitting", "提交中"
    PROCESSING = "processing", "处理中"
    COMPLETED = "completed", "已完成"
    FAILED = "failed", "失败"
    # The vendor refused it or could not be asked; the held points were released, nothing spent.
    NOT_ACCEPTED = "not_accepted", "未受理"


ACCEPTED_STATUSES = (TaskStatus.PROCESSING, TaskStatus.COMPLETED, TaskStatus.FAILED)


class RewritingTask(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        on_delete=models.PROTECT,
        related_name="rewriting_tasks",
        db_index=False,  # the indexes below lead with it
    )
    text = models.TextField("原文")
    platform = models.CharField("平台", max_length=16, choices=Platform)
    task_type = models.CharField("类型", max_length=32, choices=TaskType)
    service = models.CharField("上游服务", max_length=16, choices=Service)
    tool = models.CharField("上游工具", max_length=16)
    upstream_task_id = models.CharField("上游任务ID", max_length=128, null=True, blank=True)
    cost = points_field("积分消耗")
    status = models.CharField(
        "状态", max_length=16, choices=TaskStatus, default=TaskStatus.SUBMITTING
    )
    progress = models.PositiveSmallIntegerField("进度", null=True, blank=True)
    result = models.TextField("结果", null=True, blank=True)
    # The vendor's own fields the answer passes on (queuePosition and cost, or created_at and
    # updated_at), kept so a stored answer looks like a fresh one.
    upstream_details = models.JSONField("上游附加信息", default=dict, blank=True)
    failure_reason = models.CharField("未受理原因", max_length=255, blank=True)
    spend = models.OneToOneField(
        PointsTransaction,
        verbose_name="消费记录",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rewriting_task",
    )
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    checked_at = models.DateTimeField("上次询问上游", null=True, blank=True)
    # Since when the worker's polls could not reach the vendor; cleared by the next answer.
    vendor_unreachable_since = models.DateTimeField("上游无法访问起始", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "改写任务"
        verbose_name_plural = "改写任务"
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=["owner", "status"], name="rewriting_task_owner_status"),
            # The console's list: newest first, all of them, by status, or one customer's.
            models.Index(fields=["-created_at", "-id"], name="rewriting_task_newest"),
            models.Index(
                fields=["status", "-created_at", "-id"], name="rewriting_task_status_newest"
            ),
            models.Index(
                fields=["owner", "-created_at", "-id"], name="rewriting_task_owner_newest"
            ),
            # The worker's look for the processing tasks due a poll: a small part of all tasks.
            models.Index(
                fields=["checked_at"],
                condition=Q(status="processing"),
                name="rewriting_task_poll_due",
            ),
            # The settling job's look for submissions cut off: few rows, found at once.
            models.Index(
                fields=["created_at"],
                condition=Q(status="submitting"),
                name="rewriting_task_submitting",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "upstream_task_id"],
                condition=Q(upstream_task_id__isnull=False),
                name="rewriting_task_upstream_id_unique",
            ),
            models.CheckConstraint(
                condition=Q(status__in=TaskStatus.values), name="rewriting_task_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(cost__gte=0), name="rewriting_task_cost_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(progress__isnull=True) | Q(progress__lte=100),
                name="rewriting_task_progress_percent",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=ACCEPTED_STATUSES)
                | Q(upstream_task_id__isnull=False, spend__isnull=False),
                name="rewriting_task_accepted_is_paid",
                violation_error_message="上游受理的任务必须有上游任务ID和消费记录",
            ),
            models.CheckConstraint(
                condition=~Q(status=TaskStatus.COMPLETED) | Q(result__isnull=False),
                name="rewriting_task_completed_has_result",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} #{self.pk}"

    @property
    def label(self) -> str:
        """`降重（知网版）`: what the customer bought, as their transaction list names it."""
        return f"{TaskType(self.task_type).label}（{Platform(self.platform).label}版）"
