"""Development demo: current training for the demo accounts whose roles do trained work."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from survivors_justice.accounts.demo import demo_email
from survivors_justice.accounts.roles import Role
from survivors_justice.permissions import ROLE_ACTIONS, TRAINED_WORK
from survivors_justice.training.rules import WORK, training_gap
from survivors_justice.training.services import record_training


def ensure_demo_training(*, domain: str) -> int:
    """Record every course the demo accounts need (completed 60 days ago, valid a year), as the
    demo administrator; accounts already current are left alone. Returns the records written."""
    if settings.PRODUCTION:
        raise RuntimeError("demo training is refused in production")
    users = get_user_model().objects
    admin = users.get(email=demo_email(Role.ADMIN, domain))
    done = timezone.localdate() - timedelta(days=60)
    written = 0
    for role in Role:
        user = users.filter(email=demo_email(role, domain)).first()
        if user is None:
            continue
        works = [w for a, w in TRAINED_WORK.items() if a in ROLE_ACTIONS[role]]
        if all(training_gap(user, w) is None for w in works):
            continue
        for course in sorted({c for w in works for c in WORK[w]}):
            record_training(actor=admin, user=user, course=course, completed_on=done,
                            expires_on=done + timedelta(days=365), note="demo")
            written += 1
    return written
