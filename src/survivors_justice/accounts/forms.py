"""Sign-in forms: the password step and the one-time-code step."""

from __future__ import annotations

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from survivors_justice.accounts.models import User
from survivors_justice.accounts.roles import Role


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


ROLE_CHOICES = [("", "Choose a role"), *Role.choices]


class CreateAccountForm(forms.Form):
    email = forms.EmailField(
        label="Email address", max_length=254,
        error_messages={"required": "Enter the person's office email address.",
                        "invalid": "Enter an email address like name@example.org."},
    )
    role = forms.ChoiceField(
        label="Role", choices=ROLE_CHOICES,
        error_messages={"required": "Choose the role this person has in the office."},
    )
    organisation = forms.CharField(label="Organisation", max_length=200, required=False)
    password = forms.CharField(
        label="First password", strip=False, max_length=512,
        error_messages={"required": "Enter a first password of at least 12 characters."},
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("role") == Role.PARTNER_STAFF and not data.get("organisation", "").strip():
            self.add_error("organisation",
                           "Partner staff need the name of their organisation.")
        password = data.get("password")
        if password:
            # Every mistake at once: the password rules too, not only after the other fields pass.
            candidate = User(email=str(data.get("email") or ""))
            try:
                validate_password(password, user=candidate)
            except ValidationError as exc:
                self.add_error("password", " ".join(exc.messages))
        return data


class RoleForm(forms.Form):
    role = forms.ChoiceField(
        label="New role", choices=ROLE_CHOICES,
        error_messages={"required": "Choose the new role."},
    )

