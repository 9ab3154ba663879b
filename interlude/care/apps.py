from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "interlude.care"
    label = "care"
    verbose_name = "Care: safety plan and appointments"
