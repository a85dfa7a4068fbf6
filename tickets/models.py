import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from csa.history import ChangeRecord


class TicketType(models.TextChoices):
    FINANCIAL = "financial", "财务问题"
    TECHNICAL = "technical", "技术问题"
    BUSINESS = "business", "业务问题"


class TicketStatus(models.TextChoices):
    PENDING = "pending", "待回复"
    REPLIED = "replied", "已回复"


class Ticket(models.Model):
    id = models.UUIDField("编号", primary_key=True, default=uuid.uuid4, editable=False)
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建者",
        on_delete=models.CASCADE,
        related_name="tickets",
        db_index=False,  # the indexes below lead with it
    )
    title = models.CharField("标题", max_length=200)
    ticket_type = models.CharField("类型", max_length=16, choices=TicketType.choices)
    content = models.TextField("内容")
    status = models.CharField(
        "状态", max_length=16, choices=TicketStatus.choices, default=TicketStatus.PENDING
    )
    feedback = models.TextField("回复", null=True, blank=True)
    responder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="回复人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", null=True, blank=True)
    replied_at = models.DateTimeField("回复时间", null=True, blank=True)
    # The conversation (v2.1 of ours): who answers, whether it is closed, and the clock.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="负责人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="关闭人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Closed by staff as final: a customer's follow-up no longer reopens it.
    closed_final = models.BooleanField("最终关闭", default=False, db_default=False)
    first_response_due_at = models.DateTimeField("首次响应期限", null=True, blank=True)
    first_responded_at = models.DateTimeField("首次响应时间", null=True, blank=True)

    class Meta:
        verbose_name = "工单"
        verbose_name_plural = "工单"
        ordering = ["-created_at", "-id"]
        # Every list is newest first; each index below serves one of them (a customer's, a
        # customer's by status, the console's, the console's by status) and holds the id, so a
        # deep page's ids come from the index alone.
        indexes = [
            models.Index(fields=["creator", "-created_at", "-id"], name="ticket_creator_newest"),
            models.Index(
                fields=["creator", "status", "-created_at", "-id"], name="ticket_creator_status"
            ),
            models.Index(fields=["-created_at", "-id"], name="ticket_newest"),
            models.Index(fields=["status", "-created_at", "-id"], name="ticket_status_newest"),
            # A customer's open and closed lists.
            models.Index(
                fields=["creator", "-created_at", "-id"],
                condition=Q(closed_at__isnull=True),
                name="ticket_creator_open",
            ),
            models.Index(
                fields=["creator", "-created_at", "-id"],
                condition=Q(closed_at__isnull=False),
                name="ticket_creator_closed",
            ),
            # The console's first page: what waits for a first answer, soonest due first.
            models.Index(
                fields=["first_response_due_at", "-created_at"],
                condition=Q(first_responded_at__isnull=True, closed_at__isnull=True),
                name="ticket_awaiting_due",
            ),
            models.Index(fields=["assignee", "-created_at", "-id"], name="ticket_assignee_newest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ticket_type__in=TicketType.values), name="ticket_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=TicketStatus.values), name="ticket_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=TicketStatus.PENDING)
                | Q(feedback__isnull=False, replied_at__isnull=False),
                name="ticket_replied_has_feedback",
            ),
            models.CheckConstraint(
                condition=Q(closed_final=False) | Q(closed_at__isnull=False),
                name="ticket_final_is_closed",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class TicketMessage(models.Model):
    """One message of a ticket's conversation, oldest first: the opening one (the ticket's
    `content`), the customer's follow-ups and staff's replies (the latest is `feedback`)."""

    id = models.UUIDField("编号", primary_key=True, default=uuid.uuid4, editable=False)
    ticket = models.ForeignKey(
        Ticket,
        verbose_name="工单",
        on_delete=models.CASCADE,
        related_name="messages",
        db_index=False,  # led by ticket_message_thread
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="作者",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_staff = models.BooleanField("客服消息", default=False)
    body = models.TextField("内容")
    # Not auto_now_add: a ticket's messages from before the thread keep their own times.
    created_at = models.DateTimeField("发送时间", default=timezone.now)

    class Meta:
        verbose_name = "工单消息"
        verbose_name_plural = "工单消息"
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["ticket", "created_at", "id"], name="ticket_message_thread")
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(body=""), name="ticket_message_has_body"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} @ {self.created_at:%Y-%m-%d %H:%M}"


class TicketAttachment(models.Model):
    """A file sent with a message, judged by its content; its key holds nothing the customer
    sent."""

    id = models.UUIDField("编号", primary_key=True, default=uuid.uuid4, editable=False)
    message = models.ForeignKey(
        TicketMessage, verbose_name="消息", on_delete=models.CASCADE, related_name="attachments"
    )
    filename = models.CharField("文件名", max_length=255)
    file_size = models.PositiveBigIntegerField("文件大小（字节）")
    content_type = models.CharField("文件类型", max_length=100)
    oss_key = models.CharField("存储键", max_length=255, unique=True)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "工单附件"
        verbose_name_plural = "工单附件"
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(filename=""), name="ticket_attachment_has_name"),
            models.CheckConstraint(condition=~Q(oss_key=""), name="ticket_attachment_has_key"),
        ]

    def __str__(self) -> str:
        return self.filename


class CannedReply(models.Model):
    """A reply staff insert into their answer in the console, for questions that come often."""

    title = models.CharField("标题", max_length=100, unique=True)
    body = models.TextField("内容")
    ticket_type = models.CharField(
        "适用类型",
        max_length=16,
        choices=TicketType.choices,
        null=True,
        blank=True,
        help_text="留空则适用于所有类型",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "常用回复"
        verbose_name_plural = "常用回复"
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(condition=~Q(body=""), name="canned_reply_has_body"),
        ]

    def __str__(self) -> str:
        return self.title


class TicketAlertSubscription(models.Model):
    """A staff member e-mailed when a ticket of this type arrives or its customer writes."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="员工",
        on_delete=models.CASCADE,
        related_name="ticket_alert_subscriptions",
    )
    ticket_type = models.CharField("工单类型", max_length=16, choices=TicketType.choices)

    class Meta:
        verbose_name = "工单提醒订阅"
        verbose_name_plural = "工单提醒订阅"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "ticket_type"],
                name="ticket_alert_subscription_unique",
                violation_error_message="该员工已订阅此类型的工单提醒",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_ticket_type_display()}"


class TicketChange(ChangeRecord):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="changes")

    class Meta(ChangeRecord.Meta):
        verbose_name = "工单变更记录"
        verbose_name_plural = "工单变更记录"


class TicketTally(models.Model):
    """How many tickets a customer has in each status, kept by the ticket services in the same
    transaction as the change, so a list's exact `total` is one row read, not a count of rows.
    Its columns are named after the statuses."""

    creator = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="创建者",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="ticket_tally",
    )
    pending = models.PositiveIntegerField("待回复", default=0)
    replied = models.PositiveIntegerField("已回复", default=0)
    # Of those, how many are closed: the open and closed lists' totals.
    pending_closed = models.PositiveIntegerField("待回复（已关闭）", default=0, db_default=0)
    replied_closed = models.PositiveIntegerField("已回复（已关闭）", default=0, db_default=0)
    # Moves on whenever a ticket leaves a list or changes place in one (deleted, answered), so
    # bookmarks into the lists (csa.paging) made before are no longer used.
    revision = models.PositiveBigIntegerField("版本", default=0)

    class Meta:
        verbose_name = "工单计数"
        verbose_name_plural = "工单计数"

    def __str__(self) -> str:
        return f"{self.creator_id}: {self.pending}/{self.replied}"
