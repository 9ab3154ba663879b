from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "interlude.measures"
    label = "measures"
    verbose_name = "Measures: questionnaires and reliable change"
