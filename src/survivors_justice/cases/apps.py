from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "survivors_justice.cases"
    label = "cases"
