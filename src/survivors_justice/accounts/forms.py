"""Sign-in forms: the password step and the one-time-code step."""

from __future__ import annotations

from django import forms


class PasswordForm(forms.Form):
    # Named `username` because django-axes reads the account from that form field.
    username = forms.EmailField(label="Email address", max_length=254)
    password = forms.CharField(label="Password", strip=False, max_length=512)


class CodeForm(forms.Form):
    code = forms.RegexField(
        label="6-digit code",
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": "Enter the 6 digits your authenticator app shows, no spaces."},
    )

    def clean_code(self) -> str:
        return str(self.cleaned_data["code"]).strip()
