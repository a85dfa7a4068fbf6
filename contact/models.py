import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

NAME_MAX_LENGTH = 100
EMAIL_MAX_LENGTH = 254
MESSAGE_MAX_LENGTH = 5000


class ContactMessage(models.Model):
    """A message left through the public contact form, for staff to handle."""

    id = models.UUIDField("编号", primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField("称呼", max_length=NAME_MAX_LENGTH)
    # Any text the visitor typed: the API document asks for no format check.
    email = models.CharField("邮箱", max_length=EMAIL_MAX_LENGTH)
    message = models.TextField("留言内容")
    is_processed = models.BooleanField("已处理", default=False)
    admin_notes = models.TextField("处理备注", null=True, blank=True)
    processed_at = models.DateTimeField("处理时间", null=True, blank=True, editable=False)
    processed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处理人",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    client_ip = models.GenericIPAddressField("来源IP", null=True, blank=True, editable=False)
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "联系留言"
        verbose_name_plural = "联系留言"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["is_processed", "-created_at"])]
        constraints = [
            # An implication, not an equivalence: unmarking keeps when it was first handled.
            models.CheckConstraint(
                condition=Q(is_processed=False) | Q(processed_at__isnull=False),
                name="contact_message_processed_has_time",
                violation_error_message="已处理的留言必须有处理时间",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.email}）"
