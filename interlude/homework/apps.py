from django.apps import AppConfig


class HomeworkConfig(AppConfig):
    name = "interlude.homework"
    label = "homework"
    verbose_name = "Homework: tools a clinician sets between sessions, and how each due day went"
