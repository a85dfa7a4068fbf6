from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = "合同"

    def ready(self) -> None:
        from contracts import schema  # noqa: F401  registers the OpenAPI body override
