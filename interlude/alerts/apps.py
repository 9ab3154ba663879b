from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "interlude.alerts"
    label = "alerts"
    verbose_name = "Alerts: signals that need a human"
