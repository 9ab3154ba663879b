from django.apps import AppConfig


class TrackingConfig(AppConfig):
    name = "interlude.tracking"
    label = "tracking"
    verbose_name = "Check-ins and observations"

    def ready(self) -> None:
        # The record's, brief's and report's panels this app owns (core.panels).
        from interlude.tracking import panels  # noqa: F401
