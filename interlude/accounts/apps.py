from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "interlude.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from interlude.accounts import receivers  # noqa: F401 - connects the receivers
        from interlude.accounts.encryption import MFA_ROTATOR
        from interlude.core.key_rotation import register_rotator

        register_rotator(MFA_ROTATOR)
