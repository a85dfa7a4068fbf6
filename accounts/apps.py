from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "账号"

    def ready(self) -> None:
        from accounts import schema  # noqa: F401  registers the OpenAPI auth scheme
