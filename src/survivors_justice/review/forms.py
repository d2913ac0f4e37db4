"""Forms of the review panel's pages."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from survivors_justice.accounts.models import User
from survivors_justice.accounts.roles import Role
from survivors_justice.review.models import (
    TEXT_LIMIT,
    Finding,
    PanelMember,
    Reason,
    RecommendedOutcome,
    SeatKind,
)

_RADIO = forms.RadioSelect(attrs={"class": "usa-radio__input"})
_CHECKS = forms.CheckboxSelectMultiple(attrs={"class": "usa-checkbox__input"})
_DATE = forms.DateInput(attrs={"type": "date", "class": "usa-input"})


class ConfidentialityForm(forms.Form):
    agree = forms.BooleanField(
        label=(
            "I will keep everything I read or hear as a panel member confidential. I will not "
            "copy, photograph or share any packet, and I will declare any conflict of interest."
        ),
        widget=forms.CheckboxInput(attrs={"class": "usa-checkbox__input"}),
    )


class PositionForm(forms.Form):
    finding = forms.ChoiceField(
        label="Was this person's involvement voluntary or involuntary?",
        choices=Finding.choices,
        widget=_RADIO,
    )
    recommended_outcome = forms.ChoiceField(
        label="What do you recommend?", choices=RecommendedOutcome.choices, widget=_RADIO
    )
    reasons = forms.MultipleChoiceField(
        label="Your reasons (choose all that apply)",
        choices=Reason.choices,
        widget=_CHECKS,
    )
    text = forms.CharField(
        label="Anything else the panel should weigh (optional)",
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"class": "usa-textarea", "rows": 4, "maxlength": TEXT_LIMIT}),
    )


class ConflictForm(forms.Form):
    reason = forms.CharField(
        label="Why you step aside (optional; the coordinator sees it)",
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"class": "usa-textarea", "rows": 2, "maxlength": TEXT_LIMIT}),
    )


class MemberForm(forms.Form):
    user = forms.ModelChoiceField(
        label="Account (role: review panel member)",
        queryset=User.objects.none(),
        widget=forms.Select(attrs={"class": "usa-select"}),
    )
    seat = forms.ChoiceField(label="Seat", choices=SeatKind.choices, widget=_RADIO)
    term_start = forms.DateField(label="Term starts", widget=_DATE)
    term_end = forms.DateField(label="Term ends", widget=_DATE)
    training_current_until = forms.DateField(
        label="Panel training current until", required=False, widget=_DATE
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["user"])  # type: ignore[type-arg]
        field.queryset = User.objects.filter(role=Role.PANEL_MEMBER, is_active=True).order_by(
            "email"
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("term_start"), data.get("term_end")
        if start and end and end < start:
            self.add_error("term_end", "The term must end after it starts.")
        return data


class SessionForm(forms.Form):
    scheduled_for = forms.DateTimeField(
        label="Date and time",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "class": "usa-input"}),
    )
    members = forms.ModelMultipleChoiceField(
        label="Members who sit", queryset=PanelMember.objects.none(), widget=_CHECKS
    )
    cases = forms.MultipleChoiceField(label="Cases on the docket", choices=(), widget=_CHECKS)

    def __init__(self, *args: Any, case_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = cast(forms.ModelMultipleChoiceField, self.fields["members"])  # type: ignore[type-arg]
        members.queryset = PanelMember.objects.filter(active=True).select_related("user")
        members.label_from_instance = _member_label  # type: ignore[assignment]
        cases = cast(forms.MultipleChoiceField, self.fields["cases"])
        cases.choices = case_choices


def _member_label(m: PanelMember) -> str:
    return f"{m.user.email} ({SeatKind(m.seat).label})"


class RedactionForm(forms.Form):
    text = forms.CharField(
        label="Narrative as panel members will read it",
        required=False,
        widget=forms.Textarea(attrs={"class": "usa-textarea", "rows": 6}),
    )
