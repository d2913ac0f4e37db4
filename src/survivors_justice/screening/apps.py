from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "survivors_justice.screening"
    label = "screening"
