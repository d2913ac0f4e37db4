"""Forms of the intake workflow: accept, override (one outcome per charge), review an override."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from survivors_justice import limits
from survivors_justice.arrests.schema import BOROUGHS
from survivors_justice.cases.flows import CaseState
from survivors_justice.cases.models import OverrideReason
from survivors_justice.cases.search import ANY_STATE, SORTS, CaseFilter
from survivors_justice.cases.services import (
    MIN_REASON_CHARS,
    OUTCOME_LABELS,
    OVERRIDE_CHOICES,
    Recommendation,
)
from survivors_justice.law import Role as ChargeRole


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
        max_length=limits.MAX_REASON_CHARS,
        help_text=(
            f"At least {MIN_REASON_CHARS} and at most {limits.MAX_REASON_CHARS:,} characters. "
            "A supervisor reads this."
        ),
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
        max_length=limits.MAX_NOTE_CHARS,
        widget=forms.Textarea(attrs={"class": "usa-textarea", "rows": 3}),
    )


class RecheckReviewForm(forms.Form):
    note = forms.CharField(
        label="What you looked at or did (a short note)",
        max_length=limits.MAX_NOTE_CHARS,
        widget=forms.Textarea(attrs={"class": "usa-textarea", "rows": 3}),
    )


_BLANK = [("", "Any")]
_DATE_RANGE = [MinValueValidator(limits.MIN_DATE), MaxValueValidator(limits.MAX_DATE)]


class QueueFilterForm(forms.Form):
    """The intake queue's search and filters, read from the query string (GET, bookmarkable)."""

    q = forms.CharField(
        label="Case number or NYPD arrest key",
        required=False,
        max_length=40,
        help_text=(
            "Part of a case number or an arrest key. Names cannot be searched: they are "
            "encrypted in the database. Open the case to see who it is."
        ),
        widget=forms.TextInput(attrs={"class": "usa-input", "autocomplete": "off"}),
    )
    outcome = forms.ChoiceField(
        label="Recommendation",
        required=False,
        choices=_BLANK + [(k, v) for k, v in OUTCOME_LABELS.items()],
        widget=forms.Select(attrs={"class": "usa-select"}),
    )
    role = forms.ChoiceField(
        label="Charged as",
        required=False,
        choices=_BLANK + [(r.value, r.value.capitalize()) for r in ChargeRole],
        widget=forms.Select(attrs={"class": "usa-select"}),
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[
            ("", "Waiting for a decision"),
            (CaseState.OVERRIDE_PENDING.value, "Override waiting for a supervisor"),
            (ANY_STATE, "Either"),
        ],
        widget=forms.Select(attrs={"class": "usa-select"}),
    )
    borough = forms.ChoiceField(
        label="Borough",
        required=False,
        choices=_BLANK + sorted(BOROUGHS.items(), key=lambda kv: kv[1]),
        widget=forms.Select(attrs={"class": "usa-select"}),
    )
    precinct = forms.IntegerField(
        label="Precinct",
        required=False,
        min_value=1,
        max_value=999,
        widget=forms.NumberInput(attrs={"class": "usa-input usa-input--small"}),
    )
    arrested_from = forms.DateField(
        label="Arrested on or after",
        required=False,
        validators=_DATE_RANGE,
        widget=forms.DateInput(attrs={"class": "usa-input", "type": "date"}, format="%Y-%m-%d"),
    )
    arrested_to = forms.DateField(
        label="Arrested on or before",
        required=False,
        validators=_DATE_RANGE,
        widget=forms.DateInput(attrs={"class": "usa-input", "type": "date"}, format="%Y-%m-%d"),
    )
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=[(k, label) for k, (label, _) in SORTS.items()],
        widget=forms.Select(attrs={"class": "usa-select"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("arrested_from"), data.get("arrested_to")
        if start and end and start > end:
            self.add_error(
                "arrested_to",
                f"{end:%Y-%m-%d} is before {start:%Y-%m-%d}; give the later date here.",
            )
        return data

    def case_filter(self) -> CaseFilter:
        """The valid part of what was asked (an invalid field filters nothing; it is shown
        with its error)."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return CaseFilter(
            q=(data.get("q") or "").strip(),
            outcome=data.get("outcome") or "",
            role=data.get("role") or "",
            status=data.get("status") or "",
            borough=data.get("borough") or "",
            precinct=data.get("precinct"),
            arrested_from=data.get("arrested_from"),
            arrested_to=data.get("arrested_to"),
            sort=data.get("sort") or "opened",
        )
