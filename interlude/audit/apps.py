from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "interlude.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from interlude.audit import receivers  # noqa: F401  (connects auth signal receivers)
