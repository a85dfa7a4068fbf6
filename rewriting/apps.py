from django.apps import AppConfig


class RewritingConfig(AppConfig):
    name = "rewriting"
    verbose_name = "改写服务"
