"""The referral's states and the moves allowed between them (fails loudly on any other)."""

from __future__ import annotations

from survivors_justice.survivors.models import ReferralState as S

TRANSITIONS: dict[str, frozenset[str]] = {
    S.SENT: frozenset({S.ACCEPTED, S.DECLINED, S.WITHDRAWN}),
    S.ACCEPTED: frozenset({S.IN_SERVICE, S.CLOSED, S.WITHDRAWN}),
    S.IN_SERVICE: frozenset({S.CLOSED, S.WITHDRAWN}),
    S.DECLINED: frozenset(),
    S.CLOSED: frozenset(),
    S.WITHDRAWN: frozenset(),
}
assert set(TRANSITIONS) == set(S.values)


class IllegalReferralMove(ValueError):
    def __init__(self, referral_id: int, current: str, target: str) -> None:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none (final state)"
        super().__init__(
            f"referral {referral_id} cannot go from {current!r} to {target!r}; allowed from "
            f"{current!r}: {allowed}"
        )


def check_move(referral_id: int, current: str, target: str) -> None:
    if target not in TRANSITIONS[current]:
        raise IllegalReferralMove(referral_id, current, target)
