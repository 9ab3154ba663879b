from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "interlude.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from interlude.accounts import mfa_secrets, receivers  # noqa: F401 - connects receivers
        from interlude.accounts.encryption import MFA_ROTATOR
        from interlude.core.key_rotation import register_rotator

        register_rotator(MFA_ROTATOR)
        mfa_secrets.install()
