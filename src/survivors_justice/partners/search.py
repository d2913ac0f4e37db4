"""Search the partner directory by need, language and borough (no person in any of it)."""

from __future__ import annotations

from django.db import connection
from django.db.models import Q, QuerySet

from survivors_justice.partners.models import Service


def search_services(*, need: str = "", language: str = "", borough: str = "",
                    text: str = "") -> QuerySet[Service]:
    """Active services that meet ``need``, are given in ``language``, and serve ``borough``.

    A service serves a borough when one of its service areas or locations is in it. Language
    matches the ISO 639 code or the language's name, case-insensitively.
    """
    qs = Service.objects.filter(status="active").select_related("organisation")
    if need:
        if connection.vendor == "postgresql":
            qs = qs.filter(needs__contains=[need])
        else:  # SQLite's JSON has no containment: compare the stored list's items
            ids = [s.pk for s in Service.objects.only("pk", "needs") if need in (s.needs or [])]
            qs = qs.filter(pk__in=ids)
    if language:
        qs = qs.filter(Q(languages__code__iexact=language) | Q(languages__name__iexact=language))
    if borough:
        qs = qs.filter(Q(areas__name__iexact=borough) | Q(locations__borough__iexact=borough))
    if text:
        qs = qs.filter(Q(name__icontains=text) | Q(organisation__name__icontains=text))
    return qs.distinct().order_by("organisation__name", "name")
