from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "survivors_justice.training"
    label = "training"
    default_auto_field = "django.db.models.BigAutoField"
