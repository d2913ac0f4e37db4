from django.apps import AppConfig


class ArrestsConfig(AppConfig):
    name = "survivors_justice.arrests"
    label = "arrests"
