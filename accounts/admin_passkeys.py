"""Passkeys in the console: staff see every customer's, and delete one its owner lost (its owner
may also delete it themselves). Nothing else is edited here: passkeys are the customer's to
register and name."""

from django.contrib import admin
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html

from accounts.models import PasskeyCredential, User
from accounts.selectors import passkeys_of
from accounts.services import passkeys
from csa.admin_lists import USER_NAMES_HELP, ScaledChangelist, records_table, user_ids_named

PASSKEY_FIELDS = ("nickname", "is_primary", "sign_count", "created_at", "last_used_at")


class PasskeyCredentialAdmin(ScaledChangelist, admin.ModelAdmin):
    list_display = ("user", *PASSKEY_FIELDS)
    list_filter = ("is_primary",)
    list_select_related = ("user",)
    search_fields = ("user__email", "credential_id")  # shows the box; search_condition searches
    search_help_text = f"输入{USER_NAMES_HELP}，或完整的凭据ID"
    ordering = ("-created_at", "-id")
    fields = ("user", "credential_id", *PASSKEY_FIELDS, "transports")
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False  # made by the customer's authenticator

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def search_condition(self, term: str) -> Q:
        return Q(user_id__in=user_ids_named(term)) | Q(credential_id=term)

    def delete_model(self, request, obj: PasskeyCredential) -> None:
        passkeys.passkey_delete(record=obj)

    def delete_queryset(self, request, queryset) -> None:
        for record in queryset:
            passkeys.passkey_delete(record=record)


PASSKEYS_SHOWN = 10
PASSKEY_HEADERS = ("名称", "主通行密钥", "签名计数", "创建时间", "最近使用")


def passkeys_table(user: User) -> str:
    """A user's passkeys, the primary first, for their page (accounts.admin.UserAdmin); staff
    delete a lost one from the passkeys' list, which the link opens on this user's."""
    records = passkeys_of(user=user)[:PASSKEYS_SHOWN]
    rows = [[getattr(record, name) for name in PASSKEY_FIELDS] for record in records]
    login = "允许" if user.passkey_login_enabled else "已由用户关闭"
    url = reverse("admin:accounts_passkeycredential_changelist")
    more = format_html(
        '<p>通行密钥登录：{} · <a href="{}?q={}">在通行密钥列表中管理</a></p>',
        login,
        url,
        user.email,
    )
    return records_table(PASSKEY_HEADERS, rows, more=more)


admin.site.register(PasskeyCredential, PasskeyCredentialAdmin)
