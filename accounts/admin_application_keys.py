"""Application keys in the console: staff see every key, rotated ones too, and stop a key for
good (its owner may only rotate to a new one). Nothing else is edited here: keys are the
customer's to make and rotate."""

from django.contrib import admin, messages
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html

from accounts import services
from accounts.models import ApplicationKey, User
from csa.admin_lists import USER_NAMES_HELP, ScaledChangelist, records_table, user_ids_named

KEY_FIELDS = (
    "prefix",
    "can_write",
    "is_active",
    "disabled_by_staff",
    "created_at",
    "last_used_at",
    "revoked_at",
)


class ApplicationKeyAdmin(ScaledChangelist, admin.ModelAdmin):
    list_display = ("owner", *KEY_FIELDS)
    list_filter = ("is_active", "disabled_by_staff", "can_write")
    list_select_related = ("owner",)
    search_fields = ("owner__email", "prefix")  # shows the box; search_condition searches
    search_help_text = f"输入{USER_NAMES_HELP}，或密钥前缀（如 sk-AbCd1234）"
    ordering = ("-created_at", "-id")
    fields = ("owner", *KEY_FIELDS)
    readonly_fields = fields
    actions = ("disable_keys",)

    def has_add_permission(self, request) -> bool:
        return False  # customers make their own keys

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a key's row is its history

    def search_condition(self, term: str) -> Q:
        return Q(owner_id__in=user_ids_named(term)) | Q(prefix=term)

    @admin.action(description="停用所选应用密钥")
    def disable_keys(self, request, queryset):
        for record in queryset:
            services.application_key_disable_by_staff(record=record)
        self.message_user(
            request,
            f"已停用 {len(queryset)} 个应用密钥；其所有者只能轮换得到新密钥",
            messages.SUCCESS,
        )


KEYS_SHOWN = 10
KEY_HEADERS = ("前缀", "可写", "启用", "管理员停用", "创建时间", "最近使用", "轮换时间")


def application_keys_table(user: User) -> str:
    """A user's keys, newest first, for their page (accounts.admin.UserAdmin); staff stop one
    from the keys' list, which the link opens on this user's."""
    keys = user.application_keys.order_by("-created_at", "-id")[:KEYS_SHOWN]
    rows = [[getattr(key, name) for name in KEY_FIELDS] for key in keys]
    url = reverse("admin:accounts_applicationkey_changelist")
    more = format_html('<p><a href="{}?q={}">在应用密钥列表中管理</a></p>', url, user.email)
    return records_table(KEY_HEADERS, rows, more=more)


admin.site.register(ApplicationKey, ApplicationKeyAdmin)
