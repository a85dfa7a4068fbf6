from django.apps import AppConfig


class CsaConfig(AppConfig):
    """The project's own app: what every other app shares (the background jobs' failures)."""

    name = "csa"
    verbose_name = "后台任务"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from csa import jobs  # noqa: F401  (connects the failure record to Celery's signal)
