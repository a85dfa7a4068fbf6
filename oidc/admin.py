"""OAuth clients in the console: staff see every customer's clients and delete one, which ends
every token it holds. Customers register and change their own (the portal's API); the toolkit's
token tables are not shown: a token is a secret's digest, nothing staff act on one by one."""

from django.contrib import admin, messages
from django.db.models import Q
from oauth2_provider.models import AccessToken, Grant, IDToken, RefreshToken

from csa.admin_lists import USER_NAMES_HELP, user_ids_named
from oidc import services
from oidc.models import Client, GrantType

for toolkit_model in (AccessToken, Grant, IDToken, RefreshToken, Client):
    if admin.site.is_registered(toolkit_model):
        admin.site.unregister(toolkit_model)

SCOPE_NAMES = {"openid": "身份", "profile": "姓名", "email": "邮箱"}


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = (
        "name_shown",
        "owner",
        "client_id_shown",
        "grant_types_shown",
        "scopes_shown",
        "created_shown",
    )
    list_select_related = ("user",)
    search_fields = ("name",)  # shows the box; get_search_results searches
    search_help_text = f"输入{USER_NAMES_HELP}，或完整的客户端 ID"
    ordering = ("-created", "-id")
    show_full_result_count = False
    fields = (
        "name_shown",
        "owner",
        "client_id",
        "redirect_uris_shown",
        "grant_types_shown",
        "scopes_shown",
        "created_shown",
    )
    readonly_fields = fields
    actions = ("delete_clients",)

    def has_add_permission(self, request) -> bool:
        return False  # customers register their own

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # ours revokes through the service
        return actions

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(Q(user_id__in=user_ids_named(term)) | Q(client_id=term)), False

    # The toolkit's fields have English labels: shown here under ours.
    @admin.display(description="名称")
    def name_shown(self, client: Client) -> str:
        return client.name

    @admin.display(description="所有者", ordering="user")
    def owner(self, client: Client):
        return client.user

    @admin.display(description="回调地址")
    def redirect_uris_shown(self, client: Client) -> str:
        return "\n".join(client.redirect_uris.split()) or "—"

    @admin.display(description="创建时间")
    def created_shown(self, client: Client):
        return client.created

    @admin.display(description="客户端 ID")
    def client_id_shown(self, client: Client) -> str:
        return f"{client.client_id[:12]}…"

    @admin.display(description="授权方式")
    def grant_types_shown(self, client: Client) -> str:
        labels = dict(GrantType.choices)
        return "、".join(labels.get(name, name) for name in client.grant_types)

    @admin.display(description="权限范围")
    def scopes_shown(self, client: Client) -> str:
        return "、".join(SCOPE_NAMES.get(scope, scope) for scope in client.scopes)

    def delete_model(self, request, obj: Client) -> None:
        services.client_delete(client=obj)

    @admin.action(description="删除所选客户端（其令牌全部失效）", permissions=["delete"])
    def delete_clients(self, request, queryset):
        count = 0
        for client in queryset:
            services.client_delete(client=client)
            count += 1
        self.message_user(
            request, f"已删除 {count} 个 OAuth 客户端，其令牌已全部失效", messages.SUCCESS
        )
