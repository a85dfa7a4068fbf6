from django.contrib import admin, messages
from django.contrib.auth.models import Group
from django_celery_beat.admin import PeriodicTaskAdmin
from django_celery_beat.models import PeriodicTask

from csa.jobs import jobs_waiting
from csa.models import JobFailure

admin.site.unregister(PeriodicTask)
# What staff may do comes from their role (accounts.User.has_perm); Django's groups grant nothing
# here, and a page of them would only mislead.
admin.site.unregister(Group)


@admin.register(PeriodicTask)
class ScheduledJobAdmin(PeriodicTaskAdmin):
    """The periodic jobs (the schedule is in settings, copied here by the scheduler): when each
    last ran and how often it has; above the list, how many jobs wait for a worker."""

    list_display = ("name", "enabled", "interval", "crontab", "last_run_at", "total_run_count")

    def changelist_view(self, request, extra_context=None):
        waiting = jobs_waiting()
        if waiting is None:
            self.message_user(request, "无法连接任务队列，请检查后台任务服务", messages.ERROR)
        else:
            self.message_user(request, f"队列中等待执行的任务：{waiting} 个", messages.INFO)
        return super().changelist_view(request, extra_context)


@admin.register(JobFailure)
class JobFailureAdmin(admin.ModelAdmin):
    list_display = ("failed_at", "job", "error")
    list_filter = ("job",)
    search_fields = ("job", "job_id", "error")
    fields = ("job", "job_id", "failed_at", "arguments", "error", "traceback")
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
