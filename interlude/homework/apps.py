from django.apps import AppConfig


class HomeworkConfig(AppConfig):
    name = "interlude.homework"
    label = "homework"
    verbose_name = "Homework: tools a clinician sets between sessions, and how each due day went"

    def ready(self) -> None:
        # Doing a tool completes the homework that asked for it (core.hooks; measures has its
        # own hook for answered questionnaires), and homework due on a day asks for a reminder.
        from interlude.core.hooks import record_done_hook_register
        from interlude.homework import panels  # noqa: F401
        from interlude.homework.services import (
            homework_record_done,
            questionnaire_submitted,
            reminders_due,
        )
        from interlude.measures.services import response_submitted_hook_register
        from interlude.reminders.providers import due_provider_register

        record_done_hook_register(homework_record_done)
        response_submitted_hook_register(questionnaire_submitted)
        due_provider_register(reminders_due)
