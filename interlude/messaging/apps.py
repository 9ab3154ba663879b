from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "interlude.messaging"
    label = "messaging"
    verbose_name = "Messaging: the thread between a client and their care team"

    def ready(self) -> None:
        from interlude.messaging import panels  # noqa: F401
