"""Template context every page gets: the navigation the signed-in person's role may use."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from survivors_justice.accounts.middleware import is_verified
from survivors_justice.accounts.roles import Role


@dataclass(frozen=True, slots=True)
class NavItem:
    url_name: str
    label: str
    roles: frozenset[Role]


_ALL = frozenset(Role)

# Pages appear in the header for the roles listed; a page not (yet) in the URL map is left out.
NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem("accounts:home", "Home", _ALL),
    NavItem("cases:queue", "Intake queue", frozenset({Role.INTAKE_ADA, Role.SUPERVISOR})),
    NavItem("cases:priority_list", "Priority cases", frozenset({Role.TRAFFICKING_ADA})),
    NavItem("cases:overrides", "Override queue", frozenset({Role.SUPERVISOR})),
    NavItem("cases:compliance", "Compliance", frozenset({Role.SUPERVISOR})),
    NavItem("audit:log", "Audit log", frozenset({Role.ADMIN})),
    NavItem("accounts:users", "Accounts", frozenset({Role.ADMIN})),
)


@dataclass(frozen=True, slots=True)
class NavLink:
    url: str
    label: str
    current: bool


def nav_links(request: HttpRequest) -> list[NavLink]:
    if not is_verified(request):
        return []
    role = getattr(request.user, "role", "")
    links = []
    for item in NAV_ITEMS:
        if role not in item.roles:
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        current = request.path == url or (url != "/home/" and request.path.startswith(url))
        links.append(NavLink(url, item.label, current))
    return links


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    role_label = ""
    if user is not None and user.is_authenticated and getattr(user, "role", ""):
        role_label = Role(user.role).label
    return {"sj_nav": nav_links(request), "sj_role_label": role_label}
