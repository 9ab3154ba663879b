from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "interlude.insights"
    label = "insights"
    verbose_name = "Insights: caseload, client record, brief, reports and patterns"
