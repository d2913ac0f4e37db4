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
