from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "interlude.core"
    label = "core"
    verbose_name = "Interlude core"

    def ready(self) -> None:
        from interlude.core.key_rotation import (
            CLINICAL_TEXT_ROTATOR,
            DATA_KEY_ROTATOR,
            register_rotator,
        )

        register_rotator(CLINICAL_TEXT_ROTATOR)
        register_rotator(DATA_KEY_ROTATOR)
