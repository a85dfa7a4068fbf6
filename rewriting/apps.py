from django.apps import AppConfig


class RewritingConfig(AppConfig):
    name = "rewriting"
