from django.apps import AppConfig


class TransparencyConfig(AppConfig):
    name = "survivors_justice.transparency"
    label = "transparency"
    default_auto_field = "django.db.models.BigAutoField"
