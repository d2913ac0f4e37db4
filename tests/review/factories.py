"""Panel members, sessions and dockets built on real December 2017 cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.utils import timezone
from tests.cases.factories import make_case
from tests.factories import make_user

from survivors_justice.accounts.models import User
from survivors_justice.accounts.roles import Role
from survivors_justice.cases.flows import CaseState
from survivors_justice.cases.models import Case
from survivors_justice.law import load_catalog
from survivors_justice.review import services
from survivors_justice.review.models import PanelMember, PanelSession, SeatKind, SessionState
from survivors_justice.screening.services import screen_case

PROMOTING = (
    "PL 2302000"  # promoting prostitution 4th degree: a panel case when sellers worked together
)


def member(
    seat: str, *, coordinator: User, signed: bool = True, trained: bool = True
) -> PanelMember:
    user = make_user(Role.PANEL_MEMBER)
    today = timezone.localdate()
    m = services.enrol_member(
        actor=coordinator,
        user=user,
        seat=seat,
        term_start=today - timedelta(days=30),
        term_end=today + timedelta(days=335),
        training_current_until=today + timedelta(days=90) if trained else today - timedelta(days=1),
    )
    if signed:
        services.sign_confidentiality(actor=user)
        m.refresh_from_db()
    return m


def panel_case(law_code: str = PROMOTING, index: int = 0) -> Case:
    """A real arrest's case with the panel, its charge read by the catalog as the importer does."""
    case = make_case(law_code, index=index, state=CaseState.PANEL_REVIEW)
    charge = case.arrest.charges.get()
    resolved = load_catalog().resolve(
        law_code=charge.law_code, pd_cd=case.arrest.pd_cd, on=case.arrest.arrest_date
    )
    if resolved.entry is not None:
        charge.offense_class = resolved.entry.offense_class
        charge.save(update_fields=["offense_class"])
    screen_case(case_id=case.pk, actor="test")
    return case


def open_session(
    seats: list[str] | None = None, cases: list[Case] | None = None
) -> tuple[PanelSession, User, list[PanelMember]]:
    """An open session: a coordinator, members in ``seats``, redaction confirmed."""
    coordinator = make_user(Role.SUPERVISOR)
    members = [
        member(s, coordinator=coordinator)
        for s in (seats or [SeatKind.LIVED_EXPERIENCE, SeatKind.ADVOCATE, SeatKind.EXPERT])
    ]
    session = services.schedule_session(
        actor=coordinator,
        scheduled_for=datetime.now(tz=UTC),
        members=members,
        cases=cases or [panel_case()],
    )
    for entry in session.docket.all():
        services.confirm_redaction(actor=coordinator, entry=entry, text=entry.redacted_narrative)
    services.move_session(actor=coordinator, session=session, to=SessionState.OPEN)
    session.refresh_from_db()
    return session, coordinator, members
