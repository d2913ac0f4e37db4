"""Follow-up tasks: the policy's follow-ups for a case become tasks in a role's queue.

A task's state changes only through :data:`TRANSITIONS`; any other move raises
:class:`IllegalTaskTransition`. Each write is one transaction with its audit record.
Re-screening never opens a second task of a kind while one is open or in progress.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from survivors_justice.accounts.models import User
from survivors_justice.audit.services import actor_label
from survivors_justice.cases.decisions import IntakeError, principal_user
from survivors_justice.cases.models import Case, FollowUpKind, FollowUpState, FollowUpTask
from survivors_justice.cases.recommendations import Recommendation
from survivors_justice.cases.stored_recommendation import store
from survivors_justice.permissions import Action, NotAllowed, Principal, can, survivor_work_gap

S = FollowUpState
TRANSITIONS: dict[str, frozenset[str]] = {
    S.OPEN: frozenset({S.IN_PROGRESS, S.DONE, S.CANCELLED}),
    S.IN_PROGRESS: frozenset({S.OPEN, S.DONE, S.CANCELLED}),  # back to open: handed back
    S.DONE: frozenset(),
    S.CANCELLED: frozenset(),
}
OPEN_STATES = (S.OPEN, S.IN_PROGRESS)
MIN_CANCEL_NOTE_CHARS = 10
OWNER_ROLES = {
    FollowUpKind.REFER_TO_ADVOCATE: "advocate",
    FollowUpKind.OPEN_TRAFFICKING_LEAD: "trafficking_ada",
}


class FollowUpError(IntakeError):
    """A follow-up task command that cannot be carried out; the message says why."""


class IllegalTaskTransition(FollowUpError):
    def __init__(self, task: FollowUpTask, target: str) -> None:
        allowed = ", ".join(sorted(TRANSITIONS[task.state])) or "none (the task is closed)"
        when = f" on {task.closed_at:%Y-%m-%d %H:%M} UTC" if task.closed_at else ""
        super().__init__(
            f"task {task.pk} is {task.state}{when} and cannot become {target!r}; allowed: {allowed}"
        )


def _move(task: FollowUpTask, target: str) -> str:
    if target not in TRANSITIONS[task.state]:
        raise IllegalTaskTransition(task, target)
    previous = task.state
    task.state = target
    return previous


def _audit(
    *, actor: Principal | str, action: str, task: FollowUpTask, details: dict[str, Any],
    source: str = "",
) -> None:
    from survivors_justice.audit.services import record_event

    record_event(
        actor=actor if isinstance(actor, str) else actor_label(actor),
        action=action,
        object_type="followup",
        object_id=str(task.pk),
        source=source,
        outcome="success",
        details={"case": task.case_id, "kind": task.kind, **details},
    )


def wanted_followups(rec: Recommendation) -> list[Mapping[str, Any]]:
    """The follow-ups the policy's recommendation asks for (``followups`` of its result)."""
    return [f for f in rec.raw.get("followups") or [] if f.get("action") in FollowUpKind.values]


def sync_followups(
    *, actor: Principal | str, case: Case, rec: Recommendation, source: str = ""
) -> list[FollowUpTask]:
    """Open a task for each follow-up ``rec`` asks for that has no open task of its kind on
    ``case`` (inside the caller's transaction); the tasks opened."""
    opened = []
    today = timezone.localdate()
    existing = set(
        FollowUpTask.objects.filter(case=case, state__in=OPEN_STATES).values_list("kind", flat=True)
    )
    for f in wanted_followups(rec):
        kind = str(f["action"])
        if kind in existing:
            continue
        task = FollowUpTask.objects.create(
            case=case,
            kind=kind,
            owner_role=str(f.get("owner_role") or OWNER_ROLES[FollowUpKind(kind)]),
            due_date=today + timedelta(days=int(f.get("due_days") or 0)),
            rule=str(f.get("id") or ""),
            reason=str(f.get("reason") or ""),
            cites=[str(c) for c in f.get("cites") or []],
            created_at=timezone.now(),
        )
        existing.add(kind)
        opened.append(task)
        _audit(
            actor=actor, action="case.followup.open", task=task, source=source,
            details={"rule": task.rule, "owner_role": task.owner_role, "due": str(task.due_date)},
        )
    if opened:
        store([case.pk])  # an open trafficking lead puts the case in the trafficking queue
    return opened


def _locked(actor: Principal, task_id: int, action: Action) -> FollowUpTask:
    task = FollowUpTask.objects.select_for_update().get(pk=task_id)
    if not can(actor, action, task):
        raise NotAllowed(actor, action, task)
    return task


def _survivor_work(task: FollowUpTask, user: User) -> None:
    """A referral to an advocate is work with a survivor: only for current training."""
    if task.kind == FollowUpKind.REFER_TO_ADVOCATE:
        gap = survivor_work_gap(user)
        if gap is not None:
            raise FollowUpError(f"{user.email} cannot take task {task.pk}: {gap}")


def take(*, actor: Principal, task_id: int, source: str = "") -> FollowUpTask:
    """The actor takes the task: it becomes theirs and in progress."""
    with transaction.atomic():
        task = _locked(actor, task_id, Action.WORK_FOLLOWUP)
        _survivor_work(task, principal_user(actor))
        if task.state == S.IN_PROGRESS and task.owner_id == principal_user(actor).pk:
            raise FollowUpError(f"task {task.pk} is already yours")
        previous = _move(task, S.IN_PROGRESS)
        task.owner = principal_user(actor)
        task.save(update_fields=["state", "owner"])
        _audit(actor=actor, action="case.followup.take", task=task, source=source,
               details={"state": [previous, task.state]})
    return task


def assign(*, actor: Principal, task_id: int, to: User, source: str = "") -> FollowUpTask:
    """Give the task to ``to`` (an active account of the task's role); it is in progress."""
    with transaction.atomic():
        task = _locked(actor, task_id, Action.WORK_FOLLOWUP)
        if not to.is_active or to.role != task.owner_role:
            raise FollowUpError(
                f"{to.email} cannot take this task: it is for an active {task.owner_role} account"
            )
        _survivor_work(task, to)
        previous = task.state
        if task.state != S.IN_PROGRESS:
            _move(task, S.IN_PROGRESS)
        task.owner = to
        task.save(update_fields=["state", "owner"])
        _audit(actor=actor, action="case.followup.assign", task=task, source=source,
               details={"to": to.email, "state": [previous, task.state]})
    return task


def close(
    *, actor: Principal, task_id: int, done: bool = True, note: str = "", source: str = ""
) -> FollowUpTask:
    """Close the task as done, or cancel it (a cancellation says why)."""
    text = note.strip()
    if not done and len(text) < MIN_CANCEL_NOTE_CHARS:
        raise FollowUpError(
            f"cancelling a task needs a note of at least {MIN_CANCEL_NOTE_CHARS} characters "
            f"(got {len(text)}); say why it is not needed"
        )
    with transaction.atomic():
        task = _locked(actor, task_id, Action.WORK_FOLLOWUP)
        previous = _move(task, S.DONE if done else S.CANCELLED)
        task.closed_at = timezone.now()
        task.note = text
        if task.owner_id is None:
            task.owner = principal_user(actor)
        task.save(update_fields=["state", "closed_at", "note", "owner"])
        store([task.case_id])  # a closed lead may take the case out of the trafficking queue
        _audit(actor=actor, action="case.followup.close", task=task, source=source,
               details={"state": [previous, task.state], "note_chars": len(text)})
    return task


def queue(principal: Principal, *, show: str = "open") -> QuerySet[FollowUpTask]:
    """The tasks of ``principal``'s role: open ones (default), ``mine``, or ``closed``."""
    from survivors_justice.permissions import followup_tasks

    qs = followup_tasks(principal).select_related("case", "case__arrest", "owner")
    if show == "mine":
        qs = qs.filter(owner_id=getattr(principal, "pk", None), state__in=OPEN_STATES)
    elif show == "closed":
        qs = qs.exclude(state__in=OPEN_STATES)
    else:
        qs = qs.filter(state__in=OPEN_STATES)
    return qs.order_by("due_date", "pk")
