from django.db import models


class JobFailure(models.Model):
    """A background job that failed for good (its retries spent, or none due): for staff to
    look into. Kept JOB_FAILURE_RETENTION (csa.jobs)."""

    job = models.CharField("任务", max_length=200)
    job_id = models.CharField("任务ID", max_length=64)
    arguments = models.TextField("参数", blank=True)
    error = models.TextField("错误")
    traceback = models.TextField("错误详情", blank=True)
    failed_at = models.DateTimeField("失败时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "后台任务失败记录"
        verbose_name_plural = "后台任务失败记录"
        ordering = ("-failed_at",)

    def __str__(self) -> str:
        return f"{self.job}（{self.failed_at:%Y-%m-%d %H:%M}）"
