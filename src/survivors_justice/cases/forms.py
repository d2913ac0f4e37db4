"""Forms of the intake workflow: accept, override (one outcome per charge), review an override."""

from __future__ import annotations

from typing import Any

from django import forms

from survivors_justice.cases.models import OverrideReason
from survivors_justice.cases.services import (
    MIN_REASON_CHARS,
    OUTCOME_LABELS,
    OVERRIDE_CHOICES,
    Recommendation,
)


class AcceptForm(forms.Form):
    policy_version = forms.CharField(widget=forms.HiddenInput)


class OverrideForm(forms.Form):
    """An outcome for each charge (starting at the recommendation), a reason and its category."""

    policy_version = forms.CharField(widget=forms.HiddenInput)
    reason_category = forms.ChoiceField(
        label="Why are you overriding the recommendation?",
        choices=OverrideReason.choices,
        widget=forms.RadioSelect(attrs={"class": "usa-radio__input"}),
    )
    reason_text = forms.CharField(
        label="Explain in plain words",
        min_length=MIN_REASON_CHARS,
        help_text=f"At least {MIN_REASON_CHARS} characters. A supervisor reads this.",
        widget=forms.Textarea(attrs={"class": "usa-textarea", "rows": 4}),
    )

    def __init__(self, *args: Any, recommendation: Recommendation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.recommendation = recommendation
        self.fields["policy_version"].initial = recommendation.policy_version
        for charge in recommendation.charges:
            values = list(OVERRIDE_CHOICES)
            if charge.outcome not in values:
                values.append(charge.outcome)
            self.fields[f"outcome_{charge.position}"] = forms.ChoiceField(
                label=f"Charge {charge.position}: {charge.law_code}",
                choices=[(v, OUTCOME_LABELS[v]) for v in values],
                initial=charge.outcome,
                widget=forms.Select(attrs={"class": "usa-select"}),
            )

    def outcome_fields(self) -> list[forms.BoundField]:
        return [self[f"outcome_{c.position}"] for c in self.recommendation.charges]

    def outcomes(self) -> dict[str, str]:
        return {
            str(c.position): self.cleaned_data[f"outcome_{c.position}"]
            for c in self.recommendation.charges
        }


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your answer",
        choices=[("approve", "Approve the override"), ("refuse", "Refuse: the policy applies")],
        widget=forms.RadioSelect(attrs={"class": "usa-radio__input"}),
    )
    note = forms.CharField(
        label="Note (required to refuse)",
        required=False,
        widget=forms.Textarea(attrs={"class": "usa-textarea", "rows": 3}),
    )
