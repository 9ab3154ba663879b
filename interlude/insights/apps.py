from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "interlude.insights"
    label = "insights"
    verbose_name = "Insights: caseload, client record, brief, reports and patterns"

    def ready(self) -> None:
        # The record's, brief's and report's panels this app owns (core.panels).
        # The caseload summary is kept by the writes that change it (core.hooks).
        from interlude.core.hooks import client_changed_hook_register
        from interlude.insights import panels  # noqa: F401
        from interlude.insights.summary import client_changed

        client_changed_hook_register(client_changed)
