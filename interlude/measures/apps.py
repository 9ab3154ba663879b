from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "interlude.measures"
    label = "measures"
    verbose_name = "Measures: questionnaires and reliable change"

    def ready(self) -> None:
        # The record's, brief's and report's panels this app owns (core.panels).
        from interlude.measures import panels  # noqa: F401
