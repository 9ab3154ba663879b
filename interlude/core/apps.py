from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "interlude.core"
    label = "core"
    verbose_name = "Interlude core"
