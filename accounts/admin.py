from django import forms
from django.contrib import admin, messages
from django.contrib.auth.forms import BaseUserCreationForm

from accounts import services
from accounts.models import User, normalize_email


class UserCreationForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "role")

    def clean_email(self) -> str:
        email = normalize_email(self.cleaned_data["email"])
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("该邮箱已被注册")
        return email


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    add_form = UserCreationForm
    list_display = ("email", "username", "phone", "role", "is_active", "created_at")
    list_filter = ("role", "is_active")
    search_fields = ("email", "username", "phone")
    ordering = ("-created_at",)
    list_select_related = ()
    readonly_fields = (
        "uuid",
        "email",
        "invite_code",
        "invited_by",
        "created_at",
        "updated_at",
        "last_login",
    )
    fieldsets = (
        (None, {"fields": ("uuid", "email", "username", "phone", "role", "is_active")}),
        ("资料", {"fields": ("full_name", "phone_number", "avatar_url", "bio")}),
        ("邀请", {"fields": ("invite_code", "invited_by")}),
        ("时间", {"fields": ("created_at", "updated_at", "last_login")}),
    )
    add_fieldsets = ((None, {"fields": ("email", "role", "password1", "password2")}),)
    actions = ("disable_accounts", "enable_accounts")

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else self.fieldsets

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
        )
        # The console names and links the new object by this instance.
        obj.pk = created.pk
        obj.refresh_from_db()

    @admin.action(description="禁用所选账号（同时结束其登录会话）")
    def disable_accounts(self, request, queryset):
        for user in queryset:
            services.user_active_set(user=user, is_active=False)
        self.message_user(request, f"已禁用 {queryset.count()} 个账号", messages.SUCCESS)

    @admin.action(description="启用所选账号")
    def enable_accounts(self, request, queryset):
        for user in queryset:
            services.user_active_set(user=user, is_active=True)
        self.message_user(request, f"已启用 {queryset.count()} 个账号", messages.SUCCESS)
