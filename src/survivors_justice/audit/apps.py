from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "survivors_justice.audit"
    label = "audit"
