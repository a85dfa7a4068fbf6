from django.apps import AppConfig


class ContactConfig(AppConfig):
    name = "contact"
    verbose_name = "联系表单"
