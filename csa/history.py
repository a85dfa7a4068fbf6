"""Field-level change history: who changed which field of a record, when, from what to what."""

from django.conf import settings
from django.db import models
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe


class ChangeRecord(models.Model):
    """Each domain app keeps its own history table with a real foreign key to the record."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    field = models.CharField("字段", max_length=64)
    old_value = models.TextField("原值", null=True, blank=True)
    new_value = models.TextField("新值", null=True, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]
        verbose_name = "变更记录"
        verbose_name_plural = "变更记录"

    def __str__(self) -> str:
        return f"{self.field}: {self.old_value} → {self.new_value}"


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, str | None]:
    """The fields' values as text (related objects by their str), to compare after a change."""
    values = {name: getattr(instance, name) for name in fields}
    return {name: None if value is None else str(value) for name, value in values.items()}


def record_changes(
    *,
    history: type[ChangeRecord],
    subject_field: str,
    subject: models.Model,
    actor,
    before: dict[str, str | None],
) -> None:
    """One history row per field whose value differs from `before` (a `snapshot`)."""
    after = snapshot(subject, list(before))
    history.objects.bulk_create(
        history(
            **{subject_field: subject},
            actor=actor,
            field=name,
            old_value=before[name],
            new_value=after[name],
        )
        for name in before
        if before[name] != after[name]
    )


def history_table(changes) -> SafeString:
    """The change rows as an HTML table for a read-only field of the staff console."""
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (f"{c.created_at:%Y-%m-%d %H:%M:%S}", c.actor or "—", c.field, c.old_value, c.new_value)
            for c in changes
        ),
    )
    if not rows:
        return format_html("{}", "暂无变更")
    header = "<tr><th>时间</th><th>操作人</th><th>字段</th><th>原值</th><th>新值</th></tr>"
    return format_html("<table>{}{}</table>", mark_safe(header), rows)  # noqa: S308  constant
