from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "interlude.care"
    label = "care"
    verbose_name = "Care: safety plan and appointments"

    def ready(self) -> None:
        # The record's, brief's and report's panels this app owns (core.panels).
        from interlude.care import panels  # noqa: F401
