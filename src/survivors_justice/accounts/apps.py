from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "survivors_justice.accounts"
    label = "accounts"

    def ready(self) -> None:
        from django.conf import settings

        if settings.PRODUCTION:
            # Refuse to start with a missing or malformed key rather than fail on the first read.
            from survivors_justice.crypto import keyring

            keyring()
