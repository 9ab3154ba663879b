from django.apps import AppConfig


class ExercisesConfig(AppConfig):
    name = "interlude.exercises"
    label = "exercises"
    verbose_name = "Exercises, worksheets and library"
