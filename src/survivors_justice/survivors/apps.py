from django.apps import AppConfig


class SurvivorsConfig(AppConfig):
    name = "survivors_justice.survivors"
    label = "survivors"
    verbose_name = "Survivors"
