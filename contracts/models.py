import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from csa.history import ChangeRecord


class Contract(models.Model):
    id = models.UUIDField("编号", primary_key=True, default=uuid.uuid4, editable=False)
    # PROTECT: a contract is a legal record; an account is disabled, never deleted with it.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="客户",
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    title = models.CharField("标题", max_length=200)
    content_markdown = models.TextField("合同内容（Markdown）")
    is_signed = models.BooleanField("已签署", default=False)
    signed_at = models.DateTimeField("签署时间", null=True, blank=True, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "合同"
        verbose_name_plural = "合同"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_signed=True, signed_at__isnull=False)
                | Q(is_signed=False, signed_at__isnull=True),
                name="contract_signed_at_matches_is_signed",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ContractChange(ChangeRecord):
    contract = models.ForeignKey(
        Contract, verbose_name="合同", on_delete=models.CASCADE, related_name="changes"
    )

    class Meta(ChangeRecord.Meta):
        verbose_name = "合同变更记录"
        verbose_name_plural = "合同变更记录"
