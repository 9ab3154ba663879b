from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "interlude.insights"
    label = "insights"
    verbose_name = "Insights: caseload, client record, brief, reports and patterns"

    def ready(self) -> None:
        # The record's, brief's and report's panels this app owns (core.panels).
        from interlude.insights import panels  # noqa: F401
