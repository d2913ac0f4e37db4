"""The review panel's determination as the case page shows it: the finding and the vote count,
never who voted which way."""

from __future__ import annotations

from typing import Any

from django import template

from survivors_justice.review.models import Determination

register = template.Library()


@register.inclusion_tag("review/_case_determination.html")
def panel_determination(case: Any) -> dict[str, Any]:
    rows = (
        Determination.objects.filter(entry__case_id=case.pk)
        .select_related("entry__session")
        .order_by("-recorded_at")
    )
    return {"determinations": list(rows)}


@register.filter
def chosen(field: Any, value: Any) -> bool:
    """Whether ``value`` is the choice (or among the choices) the bound ``field`` holds.

    The review forms write their radio buttons and checkboxes out from the field's choices: a
    Django widget renders a template and copies its attributes for every option, which cost more
    than the rest of the packet page.
    """
    held = field.value()
    if isinstance(held, list | tuple):
        return str(value) in {str(v) for v in held}
    return held is not None and str(held) == str(value)
