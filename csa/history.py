"""Field-level change history: who changed which field of a record, when, from what to what."""

import contextlib
from datetime import datetime

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils import formats, timezone
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


def history_table(changes, *, model: type[models.Model]) -> SafeString:
    """The change rows of a `model` record as an HTML table for the staff console: each field by
    its Chinese label, a choice by its label, a yes/no as 是/否, an empty value as —, times as
    the console shows every time."""
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                _when(change.created_at),
                change.actor or "—",
                _label(model, change.field),
                _shown(model, change.field, change.old_value),
                _shown(model, change.field, change.new_value),
            )
            for change in changes
        ),
    )
    if not rows:
        return format_html("{}", "暂无变更")
    header = "<tr><th>时间</th><th>操作人</th><th>字段</th><th>原值</th><th>新值</th></tr>"
    return format_html('<table class="change-history">{}{}</table>', mark_safe(header), rows)  # noqa: S308


def _field(model: type[models.Model], name: str) -> models.Field | None:
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _label(model: type[models.Model], name: str) -> str:
    field = _field(model, name)
    return str(field.verbose_name) if field is not None else name


def _shown(model: type[models.Model], name: str, value: str | None) -> str:
    if value is None or value == "":
        return "—"
    field = _field(model, name)
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return {"True": "是", "False": "否"}.get(value, value)
    if isinstance(field, models.DateTimeField):
        with contextlib.suppress(ValueError):
            return _when(datetime.fromisoformat(value))
    return value


def _when(moment: datetime) -> str:
    return formats.localize(timezone.template_localtime(moment))


class ChangeHistoryAdmin:
    """One history per record: the page's 变更记录 and its 历史 button show the same rows (the
    record's own change table, not Django's log of console saves). The admin's model has
    `changes`, its change records."""

    @admin.display(description="变更记录")
    def history(self, obj) -> SafeString:
        return history_table(obj.changes.select_related("actor"), model=type(obj))

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_view_or_change_permission(request, obj):
            raise Http404
        context = {
            **self.admin_site.each_context(request),
            "title": f"{obj} 的变更记录",
            "object": obj,
            "opts": self.model._meta,
            "history": self.history(obj),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/change_history.html", context)
