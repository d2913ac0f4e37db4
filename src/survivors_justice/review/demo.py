"""Development demo: a panel seat for the demo panel member, so the panel's pages have a member."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from survivors_justice.accounts.demo import demo_email
from survivors_justice.accounts.roles import Role
from survivors_justice.review.models import PanelMember, SeatKind
from survivors_justice.review.services import enrol_member


def ensure_demo_seat(*, domain: str) -> bool:
    """Seat the demo panel member (lived experience, a term from a month ago to eleven months on),
    given by the demo supervisor; the confidentiality acknowledgment is left to the member to
    sign on the panel page. Returns whether a seat was given (False: one was held already)."""
    if settings.PRODUCTION:
        raise RuntimeError("the demo panel seat is refused in production")
    users = get_user_model().objects
    member = users.get(email=demo_email(Role.PANEL_MEMBER, domain))
    if PanelMember.objects.filter(user=member).exists():
        return False
    today = timezone.localdate()
    enrol_member(actor=users.get(email=demo_email(Role.SUPERVISOR, domain)), user=member,
                 seat=SeatKind.LIVED_EXPERIENCE, term_start=today - timedelta(days=30),
                 term_end=today + timedelta(days=335),
                 training_current_until=today + timedelta(days=300), source="cli")  # fmt: skip
    return True
