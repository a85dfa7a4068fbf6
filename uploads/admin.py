from django.contrib import admin
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import format_html

from csa.admin_lists import USER_NAMES_HELP, ScaledChangelist, records_table, user_ids_named
from csa.ids import uuid_or_none
from csa.storage import stored_file_url
from uploads import services
from uploads.models import UploadedFile
from uploads.selectors import DOWNLOAD_LINK

# A user's page shows their newest files; the rest are on the list, searched by the user.
INLINE_ROWS = 20


@admin.display(description="大小")
def size_text(uploaded_file: UploadedFile) -> str:
    return filesizeformat(uploaded_file.file_size)


FILE_FIELDS = (
    "owner",
    "filename",
    "kind",
    "content_type",
    size_text,
    "tag",
    "oss_key",
    "download_link",
    "created_at",
)


@admin.register(UploadedFile)
class UploadedFileAdmin(ScaledChangelist, admin.ModelAdmin):
    list_display = ("filename", "owner", "kind", size_text, "tag", "created_at")
    list_filter = ("kind",)
    search_fields = ("filename", "owner__email")
    search_help_text = f"输入文件编号、文件名中的文字，或{USER_NAMES_HELP}"
    list_select_related = ("owner",)
    ordering = ("-created_at", "-id")
    sortable_by = ("created_at",)
    searches_text = True
    fields = FILE_FIELDS
    readonly_fields = FILE_FIELDS

    def search_condition(self, term: str) -> Q:
        if file_id := uuid_or_none(term):
            return Q(pk=file_id)
        if users := user_ids_named(term):
            return Q(owner__in=users)
        return self.contains(term, "filename")

    def has_add_permission(self, request) -> bool:
        return False  # customers upload through the portal

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # what was uploaded stays as it was

    def delete_model(self, request, obj: UploadedFile) -> None:
        services.uploaded_file_delete(uploaded_file=obj)

    def delete_queryset(self, request, queryset) -> None:
        for uploaded_file in queryset:
            services.uploaded_file_delete(uploaded_file=uploaded_file)

    @admin.display(description="下载")
    def download_link(self, obj: UploadedFile) -> str:
        url = stored_file_url(
            key=obj.oss_key,
            file_id=obj.pk,
            filename=obj.filename,
            content_type=obj.content_type,
            link=DOWNLOAD_LINK,
            request=None,
        )
        return format_html('<a href="{}">下载 {}</a>', url, obj.filename)


FILE_HEADERS = ("文件名", "类型", "大小", "标签", "上传时间")


def uploaded_files_table(user) -> str:
    """A user's newest uploads, for their page (accounts.admin.UserAdmin), each linked to its
    own page; the link below opens the list on all of that user's files."""
    files = user.uploaded_files.order_by("-created_at", "-id")[:INLINE_ROWS]
    rows = [
        (
            format_html(
                '<a href="{}">{}</a>',
                reverse("admin:uploads_uploadedfile_change", args=[item.pk]),
                item.filename,
            ),
            item.get_kind_display(),
            size_text(item),
            item.tag,
            item.created_at,
        )
        for item in files
    ]
    url = reverse("admin:uploads_uploadedfile_changelist")
    more = format_html('<p><a href="{}?q={}">查看该用户的全部文件</a></p>', url, user.email)
    return records_table(FILE_HEADERS, rows, more=more)
