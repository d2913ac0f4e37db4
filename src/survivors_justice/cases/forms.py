"""Forms of the intake workflow: accept, override (one outcome per charge), review an override."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from survivors_justice import limits
from survivors_justice.arrests.schema import BOROUGHS
from survivors_justice.cases.decisions import MIN_REASON_CHARS, OVERRIDE_CHOICES
from survivors_justice.cases.facts import MAX_AGE, MIN_AMENDMENT_REASON_CHARS, QUESTIONS
from survivors_justice.cases.flows import CaseState
from survivors_justice.cases.models import (
    AmendmentAction,
    FactAnswer,
    FactSource,
    OverrideReason,
)
from survivors_justice.cases.recommendations import OUTCOME_LABELS, Recommendation
from survivors_justice.cases.search import ANY_STATE, DEFAULT_SORT, SORTS, CaseFilter
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
            sort=data.get("sort") or DEFAULT_SORT,
        )


# --- facts and charges -------------------------------------------------------------------------

_BOOL_CHOICES = [
    ("", "Leave as it is"),
    ("yes", "Yes"),
    ("no", "No"),
    ("unknown", "Unknown"),
    ("prefer_not_to_say", "Prefer not to say"),
]
_AGE_CHOICES = [
    ("", "Leave as it is"),
    ("age", "Known: give the age below"),
    ("none", "Nobody else was exploited"),
    ("unknown", "Unknown"),
    ("prefer_not_to_say", "Prefer not to say"),
]


def fact_field_name(fact: str) -> str:
    return "fact__" + fact.replace(".", "__")


class FactsForm(forms.Form):
    """One question per fact the policy asks; "unknown" is an answer of its own; a blank
    choice leaves the current answer as it is."""

    source = forms.ChoiceField(
        label="Where do these answers come from?",
        choices=[("", "Choose a source")] + [
            (v, label) for v, label in FactSource.choices if v != FactSource.PANEL_DETERMINATION
        ],
        widget=forms.Select(attrs={"class": "usa-select"}),
    )
    note = forms.CharField(
        label="Note (optional: who said it, which report)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"class": "usa-textarea", "rows": 2}),
    )
    victims_age = forms.IntegerField(
        label="Age of the youngest person exploited, in years",
        required=False,
        min_value=0,
        max_value=MAX_AGE,
        widget=forms.NumberInput(attrs={"class": "usa-input usa-input--small"}),
    )

    def __init__(self, *args: Any, current: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = current or {}
        for q in QUESTIONS:
            row = current.get(q.fact)
            now = "not answered yet"
            if row is not None:
                now = _describe_answer(row.answer, row.value)
            self.fields[fact_field_name(q.fact)] = forms.ChoiceField(
                label=q.text,
                choices=_AGE_CHOICES if q.kind == "age" else _BOOL_CHOICES,
                required=False,
                help_text=f"Now: {now}",
                widget=forms.Select(attrs={"class": "usa-select"}),
            )

    def question_fields(self) -> list[forms.BoundField]:
        return [self[fact_field_name(q.fact)] for q in QUESTIONS]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        age_field = fact_field_name("victims.min_age")
        if data.get(age_field) == "age" and data.get("victims_age") is None:
            self.add_error("victims_age", "Give the age in whole years, or choose another answer.")
        if not any(data.get(fact_field_name(q.fact)) for q in QUESTIONS):
            self.add_error(
                fact_field_name(QUESTIONS[0].fact),
                "Answer at least one question (Unknown is an answer).",
            )
        return data

    def answers(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for q in QUESTIONS:
            choice = self.cleaned_data.get(fact_field_name(q.fact))
            if not choice:
                continue
            if q.kind == "age":
                out[q.fact] = self.cleaned_data["victims_age"] if choice == "age" else choice
            else:
                out[q.fact] = choice
        return out


def _describe_answer(answer: str, value: Any) -> str:
    if answer != FactAnswer.KNOWN:
        return FactAnswer(answer).label.lower()
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if value == "none":
        return "nobody else was exploited"
    return str(value)


class AmendChargeForm(forms.Form):
    action = forms.ChoiceField(
        label="What changes?",
        choices=AmendmentAction.choices,
        widget=forms.Select(attrs={"class": "usa-select"}),
    )
    position = forms.IntegerField(
        label="Which charge (its number; not needed to add one)",
        required=False,
        min_value=1,
        widget=forms.NumberInput(attrs={"class": "usa-input usa-input--small"}),
    )
    law_code = forms.CharField(
        label="Law code of the new charge (e.g. PL 2300000; not needed to remove one)",
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"class": "usa-input"}),
    )
    reason = forms.CharField(
        label="Why",
        min_length=MIN_AMENDMENT_REASON_CHARS,
        help_text=f"At least {MIN_AMENDMENT_REASON_CHARS} characters.",
        widget=forms.Textarea(attrs={"class": "usa-textarea", "rows": 2}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        action = data.get("action")
        if action in ("replace", "remove") and not data.get("position"):
            self.add_error("position", "Say which charge (its number on this page).")
        if action in ("add", "replace") and not (data.get("law_code") or "").strip():
            self.add_error("law_code", "Give the law code of the new charge.")
        return data


class SupervisorDecisionForm(OverrideForm):
    """A supervisor decides a panel case instead of the panel: outcomes and a written reason."""

    def __init__(self, *args: Any, recommendation: Recommendation, **kwargs: Any) -> None:
        super().__init__(*args, recommendation=recommendation, **kwargs)
        del self.fields["reason_category"]
        self.fields["reason_text"].label = "Why you decide this case instead of the review panel"
        self.fields["reason_text"].help_text = (
            f"At least {MIN_REASON_CHARS} characters. The compliance page lists it."
        )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Why",
        min_length=MIN_REASON_CHARS,
        help_text=f"At least {MIN_REASON_CHARS} characters. It is kept with the decision.",
        widget=forms.Textarea(attrs={"class": "usa-textarea", "rows": 3}),
    )


class BulkAcceptForm(forms.Form):
    cases = forms.TypedMultipleChoiceField(coerce=int, choices=[], label="Cases to accept")

    def __init__(self, *args: Any, case_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["cases"]
        if isinstance(field, forms.TypedMultipleChoiceField):
            field.choices = [(pk, str(pk)) for pk in case_ids]


class TaskCloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label="How did it end?",
        choices=[("done", "Done"), ("cancelled", "Not needed (cancel)")],
        widget=forms.RadioSelect(attrs={"class": "usa-radio__input"}),
    )
    note = forms.CharField(
        label="Note (what was done; required to cancel). No personal story here.",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"class": "usa-textarea", "rows": 2}),
    )


class TaskAssignForm(forms.Form):
    to = forms.EmailField(
        label="Give it to (their email)",
        widget=forms.EmailInput(attrs={"class": "usa-input"}),
    )
