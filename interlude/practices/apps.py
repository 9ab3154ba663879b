from django.apps import AppConfig


class PracticesConfig(AppConfig):
    name = "interlude.practices"
    label = "practices"
    verbose_name = "Practices"
