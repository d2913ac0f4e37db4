from django.apps import AppConfig


class CourtsConfig(AppConfig):
    name = "survivors_justice.courts"
    label = "courts"
    default_auto_field = "django.db.models.BigAutoField"
