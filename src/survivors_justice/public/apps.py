from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "survivors_justice.public"
    label = "public"
