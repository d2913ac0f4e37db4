"""Template context every page gets: the navigation the signed-in person's role may use."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from survivors_justice.accounts.middleware import is_verified
from survivors_justice.accounts.roles import Role
from survivors_justice.permissions import Action, can, role_of


@dataclass(frozen=True, slots=True)
class NavItem:
    url_name: str
    label: str
    action: Action | None  # None: every signed-in role; else whoever the permission module lets


# Pages appear in the header for the roles the permission module lets open them (the same rule
# the page's view applies); a page not (yet) in the URL map is left out.
NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem("accounts:home", "Home", None),
    NavItem("cases:queue", "Intake queue", Action.INTAKE_QUEUE),
    NavItem("cases:priority_list", "Trafficking queue", Action.PRIORITY_LIST),
    NavItem("cases:followups", "Follow-ups", Action.FOLLOWUP_QUEUE),
    NavItem("cases:decided", "Decided cases", Action.DECIDED_CASES),
    NavItem("cases:overrides", "Override queue", Action.OVERRIDE_QUEUE),
    NavItem("cases:rechecks", "Rechecks", Action.RECHECKS),
    NavItem("cases:compliance", "Compliance", Action.COMPLIANCE),
    NavItem("survivors:caseload", "Caseload", Action.CASELOAD),
    NavItem("survivors:bookings", "Bookings", Action.CASELOAD),
    NavItem("survivors:certifications", "Certifications", Action.CERTIFICATIONS),
    NavItem("survivors:assign", "Assign survivors", Action.ASSIGN_SURVIVOR),
    NavItem("survivors:partner_referrals", "Referrals", Action.PARTNER_REFERRALS),
    NavItem("survivors:partner_bookings", "Bookings", Action.PARTNER_BOOKINGS),
    NavItem("partners:mine", "Our entry", Action.EDIT_DIRECTORY_ENTRY),
    NavItem("partners:directory", "Directory", Action.DIRECTORY),
    NavItem("cases:bulk_accept", "Accept declines", Action.BULK_ACCEPT),
    NavItem("workspace:index", "Disparities", Action.ANALYST_WORKSPACE),
    NavItem("transparency:staff", "Releases", Action.RELEASES),
    NavItem("training:dashboard", "Decisions", Action.STAFF_DASHBOARD),
    NavItem("training:records", "Training", Action.RECORD_TRAINING),
    NavItem("review:home", "Panel sessions", Action.PANEL_SEAT),
    NavItem("review:positions", "My positions", Action.PANEL_SEAT),
    NavItem("review:roster", "Review panel", Action.PANEL_COORDINATE),
    NavItem("courts:calendar", "Court calendar", Action.COURT_CALENDAR),
    NavItem("audit:log", "Audit log", Action.AUDIT_LOG),
    NavItem("accounts:users", "Accounts", Action.MANAGE_USERS),
)


@dataclass(frozen=True, slots=True)
class NavLink:
    url: str
    label: str
    current: bool


def nav_links(request: HttpRequest) -> list[NavLink]:
    if not is_verified(request):
        return []
    if role_of(request.user) is None:
        return []
    links = []
    for item in NAV_ITEMS:
        if item.action is not None and not can(request.user, item.action):
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
