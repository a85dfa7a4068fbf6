from django import forms
from django.contrib import admin, messages
from django.db import models
from django.utils.html import format_html

from csa.markdown_preview import MarkdownPreviewMixin
from csa.rendering import markdown_to_safe_html
from projects import services
from projects.models import Project, ProjectFile, ProjectLink, ProjectTask, TaskStatus


class ProjectFileForm(forms.ModelForm):
    upload = forms.FileField(label="上传文件", required=False)

    class Meta:
        model = ProjectFile
        fields = ("upload", "filename", "tag")
        help_texts = {"filename": "留空则使用上传文件的原名；客户下载时看到的就是这个名字。"}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["filename"].required = False

    def clean(self) -> dict:
        data = super().clean()
        adding = self.instance._state.adding
        if adding and not data.get("upload"):
            self.add_error("upload", "请选择要上传的文件")
        if not adding and data.get("upload"):
            self.add_error("upload", "已上传的文件不能替换；请删除这条记录后重新上传")
        if not adding and not data.get("filename"):
            self.add_error("filename", "文件名不能为空")
        return data


class ProjectFileInline(admin.TabularInline):
    model = ProjectFile
    form = ProjectFileForm
    extra = 1
    fields = ("upload", "filename", "tag", "file_size", "content_type", "oss_key", "created_at")
    readonly_fields = ("file_size", "content_type", "oss_key", "created_at")


# A description in a table row: short, so that the row fits the console's 1,366 px.
ROW_TEXT = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 36})}}


class ProjectLinkInline(admin.TabularInline):
    model = ProjectLink
    extra = 1
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}, **ROW_TEXT}
    fields = ("title", "url", "description")


class ProjectTaskInline(admin.TabularInline):
    model = ProjectTask
    extra = 1
    formfield_overrides = ROW_TEXT
    fields = ("title", "description", "status", "completed_at")
    readonly_fields = ("completed_at",)


def _file_create(project: Project, data: dict) -> None:
    services.project_file_upload(
        project=project, upload=data["upload"], tag=data["tag"], filename=data["filename"]
    )


def _link_create(project: Project, data: dict) -> None:
    services.project_link_create(
        project=project, title=data["title"], url=data["url"], description=data["description"]
    )


def _task_create(project: Project, data: dict) -> None:
    services.project_task_create(
        project=project,
        title=data["title"],
        description=data["description"],
        status=data["status"],
    )


ITEM_CREATORS = {ProjectFile: _file_create, ProjectLink: _link_create, ProjectTask: _task_create}


class DeletesThroughServices:
    """Console deletes go through the services, so a file's stored object goes with its row."""

    def delete_one(self, obj) -> None:
        services.project_item_delete(item=obj)

    def delete_model(self, request, obj) -> None:
        self.delete_one(obj)

    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset:
            self.delete_one(obj)


@admin.register(Project)
class ProjectAdmin(MarkdownPreviewMixin, DeletesThroughServices, admin.ModelAdmin):
    markdown_fields = ("overview_markdown",)
    list_display = ("name", "owner", "created_at", "updated_at")
    search_fields = ("name", "owner__email")
    list_select_related = ("owner",)
    ordering = ("-created_at",)
    autocomplete_fields = ["owner"]
    inlines = [ProjectFileInline, ProjectLinkInline, ProjectTaskInline]
    add_fields = ("owner", "name", "description", "overview_markdown")
    change_fields = (*add_fields, "overview_preview", "created_at", "updated_at")

    def get_fields(self, request, obj=None):
        return self.add_fields if obj is None else self.change_fields

    def get_readonly_fields(self, request, obj=None):
        # A project stays with the customer it was made for.
        return () if obj is None else ("owner", "overview_preview", "created_at", "updated_at")

    @admin.display(description="概述预览")
    def overview_preview(self, obj: Project):
        return format_html(
            '<div class="project-overview">{}</div>', markdown_to_safe_html(obj.overview_markdown)
        )

    def delete_one(self, obj: Project) -> None:
        services.project_delete(project=obj)

    def save_model(self, request, obj, form, change) -> None:
        if change:
            changes = {name: form.cleaned_data[name] for name in form.changed_data}
            services.project_update(project=obj, changes=changes)
        else:
            created = services.project_create(
                owner=form.cleaned_data["owner"],
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                overview_markdown=form.cleaned_data["overview_markdown"],
            )
            # The inlines and the console's messages refer to the project through this instance.
            obj.pk = created.pk
        obj.refresh_from_db()

    def save_formset(self, request, form, formset, change) -> None:
        formset.save(commit=False)  # fills the change lists the console logs; writes nothing
        for item in formset.deleted_objects:
            services.project_item_delete(item=item)
        for item, changed in formset.changed_objects:
            changes = {name: getattr(item, name) for name in changed if name != "upload"}
            services.project_item_update(item=item, changes=changes)
        create = ITEM_CREATORS[formset.model]
        for item_form in formset.extra_forms:
            if item_form.has_changed() and not item_form.cleaned_data.get("DELETE"):
                create(form.instance, item_form.cleaned_data)


@admin.register(ProjectTask)
class ProjectTaskAdmin(DeletesThroughServices, admin.ModelAdmin):
    list_display = ("title", "project", "status", "completed_at", "created_at")
    list_filter = ("status",)
    search_fields = ("title", "project__name", "project__owner__email")
    list_select_related = ("project",)
    ordering = ("-created_at",)
    fields = ("project", "title", "description", "status", "completed_at", "created_at")
    readonly_fields = ("project", "completed_at", "created_at")
    actions = ["mark_completed"]

    def has_add_permission(self, request) -> bool:
        return False  # tasks are added on their project's page

    @admin.action(description="标记为已完成")
    def mark_completed(self, request, queryset) -> None:
        pending = queryset.filter(status=TaskStatus.PENDING)
        for task in pending:
            services.project_task_complete(task=task)
        self.message_user(request, f"已将 {len(pending)} 个任务标记为已完成", messages.SUCCESS)

    def save_model(self, request, obj, form, change) -> None:
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        services.project_item_update(item=obj, changes=changes)
        obj.refresh_from_db()
