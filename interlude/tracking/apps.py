from django.apps import AppConfig


class TrackingConfig(AppConfig):
    name = "interlude.tracking"
    label = "tracking"
    verbose_name = "Check-ins and observations"
