"""A minor's "refer to an advocate" task from intake, on a real December 2017 selling arrest."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from tests.cases.factories import SELLING, make_case

from survivors_justice.arrests.models import Arrest
from survivors_justice.cases.models import FollowUpKind, FollowUpTask


def minors_referral_task() -> FollowUpTask:
    case = make_case(SELLING, given_name="Yesenia", family_name="Okonkwo-Delacroix")
    Arrest.objects.filter(pk=case.arrest_id).update(age_group="<18")
    return FollowUpTask.objects.create(
        case=case, kind=FollowUpKind.REFER_TO_ADVOCATE, owner_role="advocate",
        due_date=timezone.localdate() + timedelta(days=2), rule="refer-declined-seller",
        reason="A person declined on a selling charge is offered an advocate.",
        created_at=timezone.now())
