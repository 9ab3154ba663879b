from django.apps import AppConfig


class ExercisesConfig(AppConfig):
    name = "interlude.exercises"
    label = "exercises"
    verbose_name = "Exercises, worksheets and library"

    def ready(self) -> None:
        # The record's, brief's and report's panels this app owns (core.panels).
        from interlude.exercises import panels  # noqa: F401
