import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

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
        ]

    def __str__(self) -> str:
        return self.title


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
    # Moves on whenever a ticket leaves a list or changes place in one (deleted, answered), so
    # bookmarks into the lists (csa.paging) made before are no longer used.
    revision = models.PositiveBigIntegerField("版本", default=0)

    class Meta:
        verbose_name = "工单计数"
        verbose_name_plural = "工单计数"

    def __str__(self) -> str:
        return f"{self.creator_id}: {self.pending}/{self.replied}"
