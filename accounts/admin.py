from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.forms import BaseUserCreationForm
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery, Sum
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from accounts import lockout, services
from accounts.admin_application_keys import application_keys_table
from accounts.admin_passkeys import passkeys_table
from accounts.models import (
    BusinessAccount,
    BusinessAccountStatus,
    LoginFailure,
    Role,
    User,
    normalize_email,
)
from accounts.phones import phone_normalize
from accounts.selectors import user_is_last_active_admin, user_records_kept
from accounts.services import password_resets
from csa.admin_lists import ScaledChangelist, user_ids_named
from csa.api.throttling import client_ip
from csa.errors import ApplicationError
from csa.history import ChangeHistoryAdmin
from points.admin import points_change_link
from points.selectors import points_balance_of
from tickets import services as ticket_services
from uploads.admin import uploaded_files_table

INVITEES_SHOWN = 50


class UserCreationForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "role")

    def clean_email(self) -> str:
        email = normalize_email(self.cleaned_data["email"])
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("该邮箱已被注册")
        return email


class UserChangeForm(forms.ModelForm):
    class Meta:
        model = User
        fields = (
            "username",
            "phone",
            "role",
            "rate",
            "is_active",
            "full_name",
            "phone_number",
            "avatar_url",
            "bio",
        )

    def clean_phone(self) -> str | None:
        """The login phone as it is kept (E.164), so that it signs in however it was typed."""
        raw = self.cleaned_data["phone"]
        if not raw:
            return None
        phone = phone_normalize(raw)
        if phone is None:
            raise forms.ValidationError("手机号格式不正确")
        if User.objects.filter(phone=phone).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("该手机号已被其他账号绑定")
        return phone

    def clean(self):
        cleaned = super().clean()
        stays_admin = cleaned.get("role") == Role.ADMIN and cleaned.get("is_active")
        if not stays_admin and user_is_last_active_admin(self.instance):
            raise forms.ValidationError(services.LAST_ADMIN)
        return cleaned


class EmailProvenFilter(admin.SimpleListFilter):
    title = "邮箱已验证"
    parameter_name = "email_proven"

    def lookups(self, request, model_admin):
        return (("yes", "是"), ("no", "否"))

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(email_verified_at__isnull=self.value() == "no")
        return queryset


MUST_STAY = "须永久保留。如需停止其使用，请停用该账号（取消“启用”）。"


@admin.register(User)
class UserAdmin(ScaledChangelist, admin.ModelAdmin):
    """Users. One with contracts, projects, points or orders is never deleted (those records
    are kept for good): staff disable the account instead, and are told so."""

    form = UserChangeForm
    add_form = UserCreationForm
    list_display = (
        "email",
        "username",
        "phone",
        "role",
        "rate",
        "invite_code",
        "is_active",
        "created_at",
    )
    list_filter = ("role", "is_active", EmailProvenFilter)
    search_fields = ("email", "username", "phone", "invite_code")
    search_help_text = "输入邮箱、用户名、手机号或邀请码（完整或其中一段）"
    ordering = ("-created_at", "-id")
    sortable_by = ("created_at",)
    searches_text = True
    list_select_related = ()
    readonly_fields = (
        "uuid",
        "email",
        "invite_code",
        "invited_by",
        "invitees",
        "points",
        "created_at",
        "updated_at",
        "last_login",
        "email_verified_at",
        "proofs",
        "application_keys",
        "passkeys",
        "uploaded_files",
    )
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "uuid",
                    "email",
                    "email_verified_at",
                    "proofs",
                    "username",
                    "phone",
                    "role",
                    "is_active",
                )
            },
        ),
        ("资料", {"fields": ("full_name", "phone_number", "avatar_url", "bio")}),
        ("邀请", {"fields": ("invite_code", "invited_by", "invitees")}),
        ("积分", {"fields": ("rate", "points")}),
        ("登录方式与文件", {"fields": ("application_keys", "passkeys", "uploaded_files")}),
        ("时间", {"fields": ("created_at", "updated_at", "last_login")}),
    )
    add_fieldsets = ((None, {"fields": ("email", "role", "password1", "password2")}),)
    actions = ("disable_accounts", "enable_accounts")
    change_form_template = "admin/accounts/user/change_form.html"

    def delete_view(self, request, object_id, extra_context=None):
        user = self.get_object(request, unquote(object_id))
        if user is not None and (kept := user_records_kept(user)):
            self.message_user(request, f"不能删除 {user}：其{kept}{MUST_STAY}", messages.ERROR)
            return redirect("admin:accounts_user_change", user.pk)
        return super().delete_view(request, object_id, extra_context)

    @transaction.atomic
    def delete_model(self, request, obj: User) -> None:
        ticket_services.ticket_attachments_of_creator_remove(creator=obj)
        super().delete_model(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one at a time, each told why it must stay
        return actions

    def get_urls(self):
        temporary = self.admin_site.admin_view(self.temporary_password_view)
        reset_code = self.admin_site.admin_view(self.password_reset_code_view)
        return [
            path(
                "<int:user_id>/temporary-password/",
                temporary,
                name="accounts_user_temporary_password",
            ),
            path(
                "<int:user_id>/password-reset-code/",
                reset_code,
                name="accounts_user_password_reset_code",
            ),
            *super().get_urls(),
        ]

    def password_reset_code_view(self, request, user_id: int):
        """POST: a reset code to the customer's proven address or login phone, for them to set
        a new password themselves (the reset routes of either product)."""
        user = get_object_or_404(User, pk=user_id)
        if request.method != "POST" or not self.has_change_permission(request, user):
            raise PermissionDenied
        try:
            to = password_resets.password_reset_code_send_for(
                user=user, client_ip=client_ip(request)
            )
        except ApplicationError as error:
            self.message_user(request, error.message, messages.ERROR)
        else:
            self.message_user(request, f"已向 {to.address} 发送密码重置验证码", messages.SUCCESS)
        return redirect("admin:accounts_user_change", user.pk)

    def temporary_password_view(self, request, user_id: int):
        """POST: a new random password that must be changed at the next sign-in, shown to the
        staff member this once (it is stored only hashed) to pass on to the customer."""
        user = get_object_or_404(User, pk=user_id)
        if request.method != "POST" or not self.has_change_permission(request, user):
            raise PermissionDenied
        password = services.user_temporary_password_set(user=user)
        context = {
            **self.admin_site.each_context(request),
            "title": f"{user} 的临时密码",
            "target": user,
            "password": password,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/accounts/user/temporary_password.html", context)

    def search_condition(self, term: str) -> Q:
        exact = Q(pk__in=user_ids_named(term)) | Q(invite_code=term.upper())
        return exact | self.contains(term, "email", "username", "phone")

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else self.fieldsets

    @admin.display(description="验证状态")
    def proofs(self, obj: User):
        email = "已验证" if obj.email_verified else "未验证（不能用邮箱登录门户或重置密码）"
        phone = f"已绑定 {obj.phone}（可短信登录两个产品）" if obj.phone else "未绑定"
        return format_html("邮箱：{}<br>手机号：{}", email, phone)

    @admin.display(description="应用密钥")
    def application_keys(self, obj: User):
        return application_keys_table(obj)

    @admin.display(description="通行密钥")
    def passkeys(self, obj: User):
        return passkeys_table(obj)

    @admin.display(description="上传文件")
    def uploaded_files(self, obj: User):
        return uploaded_files_table(obj)

    @admin.display(description="邀请的用户")
    def invitees(self, obj: User):
        invitees = obj.invitees.order_by("-created_at")
        shown = list(invitees[:INVITEES_SHOWN])
        if not shown:
            return "—"
        links = format_html_join(
            mark_safe("<br>"),
            '<a href="{}">{}</a>（{}）',
            (
                (reverse("admin:accounts_user_change", args=[u.pk]), u.username or u.email, u.role)
                for u in shown
            ),
        )
        total = invitees.count() if len(shown) == INVITEES_SHOWN else len(shown)
        return format_html("共 {} 人<br>{}", total, links)

    @admin.display(description="积分余额")
    def points(self, obj: User):
        return format_html("{} &nbsp; {}", points_balance_of(obj), points_change_link(obj))

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            changes = {name: form.cleaned_data[name] for name in form.changed_data}
            services.user_update_by_staff(user=obj, changes=changes)
            return
        created = services.user_create(
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            role=form.cleaned_data["role"],
            email_verified_at=timezone.now(),  # staff vouch for the address they type
        )
        # The console names and links the new object by this instance.
        obj.pk = created.pk
        obj.refresh_from_db()

    @admin.action(description="禁用所选账号（同时结束其登录会话）")
    def disable_accounts(self, request, queryset):
        self._set_active(request, queryset, is_active=False)

    @admin.action(description="启用所选账号")
    def enable_accounts(self, request, queryset):
        self._set_active(request, queryset, is_active=True)

    def _set_active(self, request, queryset, *, is_active: bool) -> None:
        done = 0
        for user in queryset:
            try:
                services.user_active_set(user=user, is_active=is_active)
                done += 1
            except ApplicationError as error:
                self.message_user(request, f"{user}：{error.message}", messages.ERROR)
        verb = "启用" if is_active else "禁用"
        self.message_user(request, f"已{verb} {done} 个账号", messages.SUCCESS)


# --- business accounts --------------------------------------------------------------------


class BusinessAccountForm(forms.ModelForm):
    class Meta:
        model = BusinessAccount
        fields = ("status", *services.ASSIGNMENT_FIELDS, *services.CUSTOMER_FIELDS)
        help_texts = {
            "status": "填写专属邮箱和用户识别码后，待审核的账号保存时自动激活，并以邮件通知客户。",
        }

    def clean(self):
        """Refuse here what the service would refuse, so staff see a form error, not a 500."""
        cleaned = super().clean()
        if all(name in cleaned for name in ("status", *services.ASSIGNMENT_FIELDS)):
            try:
                services.business_account_status_after(
                    current=self.instance.status,
                    requested=cleaned["status"],
                    assigned_email=cleaned["assigned_email"],
                    user_code=cleaned["user_code"],
                )
            except ApplicationError as error:
                self.add_error("status", error.message)
        return cleaned


@admin.register(BusinessAccount)
class BusinessAccountAdmin(ChangeHistoryAdmin, admin.ModelAdmin):
    form = BusinessAccountForm
    list_display = (
        "owner_email",
        "company_name",
        "status",
        "assigned_email",
        "user_code",
        "created_at",
    )
    list_filter = ("status",)
    search_fields = ("owner__email", "company_name", "user_code")
    list_select_related = ("owner",)
    ordering = ("-created_at",)
    readonly_fields = ("id", "owner", "created_at", "updated_at", "history")
    fieldsets = (
        (None, {"fields": ("id", "owner", "status", *services.ASSIGNMENT_FIELDS)}),
        ("客户资料", {"fields": services.CUSTOMER_FIELDS}),
        ("记录", {"fields": ("created_at", "updated_at", "history")}),
    )
    actions = ("disable_business_accounts", "enable_business_accounts")

    def has_add_permission(self, request) -> bool:
        return False  # customers apply; staff review

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # an account ends by being disabled, and keeps its history

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("owner")

    @admin.display(description="所属用户邮箱", ordering="owner__email")
    def owner_email(self, obj: BusinessAccount) -> str:
        return obj.owner.email

    def save_model(self, request, obj, form, change):
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            services.business_account_staff_update(account=obj, actor=request.user, changes=changes)
        except ApplicationError as error:
            # Only a concurrent edit gets here: clean() already applied the same rules.
            self.message_user(request, error.message, messages.ERROR)
        obj.refresh_from_db()

    @admin.action(description="禁用所选业务账号")
    def disable_business_accounts(self, request, queryset):
        self._set_status(request, queryset, BusinessAccountStatus.DISABLED)

    @admin.action(description="启用所选业务账号")
    def enable_business_accounts(self, request, queryset):
        self._set_status(request, queryset, BusinessAccountStatus.ACTIVE)

    def _set_status(self, request, queryset, status: BusinessAccountStatus) -> None:
        done = 0
        for account in queryset:
            try:
                services.business_account_status_set(
                    account=account, actor=request.user, status=status
                )
                done += 1
            except ApplicationError as error:
                self.message_user(
                    request, f"{account.owner.email}：{error.message}", messages.ERROR
                )
        verb = "启用" if status == BusinessAccountStatus.ACTIVE else "禁用"
        self.message_user(request, f"已{verb} {done} 个业务账号", messages.SUCCESS)


# --- sign-in lockout ------------------------------------------------------------------------


def _failures_of(field: str) -> Subquery:
    """The failures, still counting, of the row's account or address."""
    same = LoginFailure.objects.filter(
        **{field: OuterRef(field)}, attempt_time__gte=lockout.sign_in_failures_since()
    )
    total = same.values(field).annotate(total=Sum("failures_since_start")).values("total")
    return Subquery(total[:1])


@admin.register(LoginFailure)
class LoginFailureAdmin(admin.ModelAdmin):
    # axes' own field names are English: every column is named here.
    list_display = (
        "account",
        "address",
        "failures",
        "account_locked",
        "address_locked",
        "last_failure",
        "way_in",
    )
    search_fields = ("=username", "=ip_address")
    ordering = ("-attempt_time",)
    actions = ("lift_locks",)
    fields = ("account", "address", "browser", "way_in", "failures", "last_failure")
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                account_failures=_failures_of("username"),
                address_failures=_failures_of("ip_address"),
            )
        )

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="账号", ordering="username")
    def account(self, obj: LoginFailure) -> str:
        return obj.username or "—"

    @admin.display(description="客户端地址", ordering="ip_address")
    def address(self, obj: LoginFailure) -> str:
        return obj.ip_address or "—"

    @admin.display(description="失败次数", ordering="failures_since_start")
    def failures(self, obj: LoginFailure) -> int:
        return obj.failures_since_start

    @admin.display(description="最近失败时间", ordering="attempt_time")
    def last_failure(self, obj: LoginFailure):
        return obj.attempt_time

    @admin.display(description="登录入口")
    def way_in(self, obj: LoginFailure) -> str:
        return obj.path_info

    @admin.display(description="浏览器")
    def browser(self, obj: LoginFailure) -> str:
        return obj.user_agent

    @admin.display(description="账号已锁定", boolean=True)
    def account_locked(self, obj: LoginFailure) -> bool:
        return (obj.account_failures or 0) >= settings.LOGIN_FAILURE_LIMIT

    @admin.display(description="地址已锁定", boolean=True)
    def address_locked(self, obj: LoginFailure) -> bool:
        return (obj.address_failures or 0) >= settings.LOGIN_FAILURE_LIMIT_PER_IP

    @admin.action(description="解除所选记录的账号和地址的锁定")
    def lift_locks(self, request, queryset):
        rows = list(queryset.values_list("username", "ip_address"))
        lifted = lockout.sign_in_locks_lift(
            account_names={name for name, _ in rows if name},
            addresses={address for _, address in rows if address},
        )
        self.message_user(request, f"已解除锁定，清除 {lifted} 条失败记录", messages.SUCCESS)
