from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "survivors_justice.audit"
    label = "audit"

    def ready(self) -> None:
        from survivors_justice.audit.receivers import connect

        connect()
