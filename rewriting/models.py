from decimal import Decimal

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


class Routed(models.Model):
    """What the customer bought (a platform's 降重 or 降AI率) and the vendor and tool its route
    names (rewriting.routing)."""

    platform = models.CharField("平台", max_length=16, choices=Platform)
    task_type = models.CharField("类型", max_length=32, choices=TaskType)
    service = models.CharField("上游服务", max_length=16, choices=Service)
    tool = models.CharField("上游工具", max_length=16)

    class Meta:
        abstract = True

    @property
    def kind(self) -> str:
        """`降重（知网版）`."""
        return f"{TaskType(self.task_type).label}（{Platform(self.platform).label}版）"


class RewritingTask(Routed):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        on_delete=models.PROTECT,
        related_name="rewriting_tasks",
        db_index=False,  # the indexes below lead with it
    )
    text = models.TextField("原文")
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
        """What the customer bought, as their transaction list names it."""
        return self.kind


class DocumentStatus(models.TextChoices):
    PROCESSING = "processing", "处理中"
    COMPLETED = "completed", "已完成"
    # Some piece could not be rewritten even after its retries: the points of what was not
    # delivered went back, and the document, rewritten where it could be, is still offered.
    FAILED = "failed", "失败"


class RewritingDocument(Routed):
    """A whole thesis: the uploaded .docx, cut into pieces the vendors rewrite one task each, and
    the same document with their text put back. Paid once, for all its pieces."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        on_delete=models.PROTECT,
        related_name="rewriting_documents",
        db_index=False,  # the index below leads with it
    )
    order_id = models.CharField("订单号", max_length=32, unique=True)
    file_name = models.CharField("文件名", max_length=255)
    size = models.PositiveIntegerField("文件大小（字节）")
    characters = models.PositiveIntegerField("计费字数")
    cost = points_field("积分消耗")
    status = models.CharField(
        "状态", max_length=16, choices=DocumentStatus, default=DocumentStatus.PROCESSING
    )
    input_file = models.CharField("原文档", max_length=512)
    output_file = models.CharField("改写后文档", max_length=512, blank=True)
    # Recorded when the vendor takes the first piece; until then the cost is only held.
    spend = models.OneToOneField(
        PointsTransaction,
        verbose_name="消费记录",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rewriting_document",
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    # The worker's claim: a document is advanced at most once per interval, whatever runs.
    advanced_at = models.DateTimeField("上次推进", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "文档改写"
        verbose_name_plural = "文档改写"
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="rewriting_doc_newest"),
            models.Index(fields=["owner", "-created_at", "-id"], name="rewriting_doc_owner_newest"),
            models.Index(
                fields=["status", "-created_at", "-id"], name="rewriting_doc_status_newest"
            ),
            models.Index(
                fields=["advanced_at"],
                condition=Q(status="processing"),
                name="rewriting_doc_advance_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=DocumentStatus.values), name="rewriting_doc_status_valid"
            ),
            models.CheckConstraint(condition=Q(cost__gt=0), name="rewriting_doc_cost_positive"),
            models.CheckConstraint(
                condition=Q(characters__gt=0), name="rewriting_doc_has_characters"
            ),
            models.CheckConstraint(
                condition=~Q(status=DocumentStatus.COMPLETED)
                | Q(spend__isnull=False) & ~Q(output_file=""),
                name="rewriting_doc_completed_is_paid_and_written",
                violation_error_message="已完成的文档必须有消费记录和改写后文档",
            ),
            models.CheckConstraint(
                condition=Q(status=DocumentStatus.PROCESSING) | Q(finished_at__isnull=False),
                name="rewriting_doc_finished_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.order_id

    @property
    def label(self) -> str:
        return f"文档{self.kind}"

    @property
    def refunded(self) -> Decimal:
        """What came back of its spend: the undelivered share, all of it, or nothing."""
        refund = getattr(self.spend, "refund", None) if self.spend_id else None
        return refund.amount if refund is not None else Decimal(0)


class PieceStatus(models.TextChoices):
    WAITING = "waiting", "等待提交"
    # Claimed by a worker that is asking the vendor; one left here past the longest a submit
    # can take was cut off, and waits again.
    SUBMITTING = "submitting", "提交中"
    SUBMITTED = "submitted", "上游处理中"
    COMPLETED = "completed", "已完成"
    FAILED = "failed", "失败"


PIECE_OPEN_STATUSES = (PieceStatus.WAITING, PieceStatus.SUBMITTING, PieceStatus.SUBMITTED)


class DocumentPiece(models.Model):
    """One vendor task of a document: whole paragraphs, one a line, or a part of one paragraph.
    Not a RewritingTask: those each carry their own charge, and a document pays once."""

    document = models.ForeignKey(
        RewritingDocument, verbose_name="文档", on_delete=models.CASCADE, related_name="pieces"
    )
    position = models.PositiveIntegerField("序号")
    text = models.TextField("原文")
    paragraphs = models.JSONField("段落序号")  # indexes in the document's body, in order
    partial = models.BooleanField("段落的一部分", default=False)
    characters = models.PositiveIntegerField("计费字数")
    service = models.CharField("上游服务", max_length=16, choices=Service)
    status = models.CharField(
        "状态", max_length=16, choices=PieceStatus, default=PieceStatus.WAITING
    )
    upstream_task_id = models.CharField("上游任务ID", max_length=128, null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("已提交次数", default=0)
    next_attempt_at = models.DateTimeField("下次提交", null=True, blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    checked_at = models.DateTimeField("上次询问上游", null=True, blank=True)
    result = models.TextField("结果", null=True, blank=True)
    error = models.CharField("最近错误", max_length=255, blank=True)

    class Meta:
        verbose_name = "文档片段"
        verbose_name_plural = "文档片段"
        ordering = ("document", "position")
        constraints = [
            models.UniqueConstraint(
                fields=["document", "position"], name="rewriting_piece_position_unique"
            ),
            models.UniqueConstraint(
                fields=["service", "upstream_task_id"],
                condition=Q(upstream_task_id__isnull=False),
                name="rewriting_piece_upstream_id_unique",
            ),
            models.CheckConstraint(
                condition=Q(status__in=PieceStatus.values), name="rewriting_piece_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=PieceStatus.SUBMITTED) | Q(upstream_task_id__isnull=False),
                name="rewriting_piece_submitted_has_upstream_id",
            ),
            models.CheckConstraint(
                condition=~Q(status=PieceStatus.COMPLETED) | Q(result__isnull=False),
                name="rewriting_piece_completed_has_result",
            ),
        ]
        indexes = [
            # Pieces in flight at a vendor, counted against its bound.
            models.Index(
                fields=["service"],
                condition=Q(status__in=["submitting", "submitted"]),
                name="rewriting_piece_in_flight",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document_id}#{self.position}"
