from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "survivors_justice.accounts"
    label = "accounts"
