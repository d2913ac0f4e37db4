"""How the pages draw a policy outcome (presentation only; the outcome itself is the policy's)."""

from __future__ import annotations

from django import template

register = template.Library()

# A USWDS background utility per outcome (all dark enough for white text).
OUTCOME_CLASSES = {
    "decline": "bg-success-darker",
    "prosecute": "bg-primary-dark",
    "prosecute_priority": "bg-secondary-dark",
    "panel_review": "bg-accent-cool-darker",
    "outside_policy": "bg-base-dark",
}


@register.filter
def outcome_class(outcome: str) -> str:
    return OUTCOME_CLASSES.get(str(outcome), "bg-base-dark")


@register.filter
def borough_name(code: str) -> str:
    """The NYPD's one-letter borough code in words ("Q" -> "Queens")."""
    from survivors_justice.arrests.schema import BOROUGHS

    return BOROUGHS.get(str(code), str(code) or "Not recorded")


@register.filter
def outcome_label(outcome: str) -> str:
    from survivors_justice.cases.recommendations import OUTCOME_LABELS

    return OUTCOME_LABELS.get(str(outcome), str(outcome))


@register.filter
def get_item(mapping: dict[str, str], key: str) -> str:
    return mapping.get(key, "")


@register.filter
def defendant_name(person: object) -> str:
    """The defendant's name as a page shows it, or "Not recorded" (a filter, not an include:
    the queue draws one per row)."""
    from django.utils.html import format_html

    given = getattr(person, "given_name", "") or ""
    family = getattr(person, "family_name", "") or ""
    if given or family:
        return format_html("{} {}", given, family)
    return format_html('<span class="text-base-dark text-italic">{}</span>', "Not recorded")
