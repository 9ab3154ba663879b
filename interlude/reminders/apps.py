from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "interlude.reminders"
    label = "reminders"
    verbose_name = "Reminders: nudges without clinical content, sent once, on time"

    def ready(self) -> None:
        from interlude.reminders import panels  # noqa: F401
