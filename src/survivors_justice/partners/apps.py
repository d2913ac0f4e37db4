from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "survivors_justice.partners"
    label = "partners"
    verbose_name = "Partner organisations"
