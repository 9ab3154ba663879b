from django.apps import AppConfig


class PracticesConfig(AppConfig):
    name = "interlude.practices"
    label = "practices"
    verbose_name = "Practices"

    def ready(self) -> None:
        from interlude.core.key_rotation import register_rotator
        from interlude.practices.encryption import INVITATION_ROTATOR

        register_rotator(INVITATION_ROTATOR)
