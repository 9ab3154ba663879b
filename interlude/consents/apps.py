from django.apps import AppConfig


class ConsentsConfig(AppConfig):
    """The gate's floor: consent, the client's sharing choices, module switches, break-glass, and
    `access.py`, the only way to load a client's data for someone else."""

    name = "interlude.consents"
    label = "consents"
    verbose_name = "Consent and sharing"

    def ready(self) -> None:
        # The record's panel this app owns (core.panels): the client's module switches.
        from interlude.consents import panels  # noqa: F401
