from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "interlude.alerts"
    label = "alerts"
    verbose_name = "Alerts: signals that need a human"

    def ready(self) -> None:
        # An answer set raises its alerts in the same transaction: measures calls the rules
        # through a hook registered here (measures sits below alerts and never imports it).
        from interlude.alerts import panels  # noqa: F401
        from interlude.alerts.services import alerts_raise_for_response
        from interlude.measures.services import response_submitted_hook_register

        response_submitted_hook_register(alerts_raise_for_response)

        # A client's message with risk words raises an alert in the message's transaction.
        from interlude.alerts.services import alert_raise_for_message
        from interlude.messaging.services import message_risk_hook_register

        message_risk_hook_register(alert_raise_for_message)
