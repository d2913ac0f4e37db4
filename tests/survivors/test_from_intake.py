"""An advocate takes intake's referral task and opens the person's record from it."""

from __future__ import annotations

import pytest
from django.test import Client
from tests.factories import make_user, sign_in
from tests.survivors.from_intake import minors_referral_task

from survivors_justice.cases.models import FollowUpTask
from survivors_justice.survivors.models import CaseLink, Survivor

pytestmark = pytest.mark.django_db


def test_take_the_task_and_open_the_linked_record() -> None:
    task = minors_referral_task()
    advocate = make_user("advocate")
    client = sign_in(Client(), advocate)
    caseload = client.get("/survivors/").content.decode()
    # the task, not the case number (the advocate does not open prosecution cases)
    assert f"Task {task.pk}:" in caseload and f"?task={task.pk}" in caseload
    assert task.case.number not in caseload
    form = client.get(f"/survivors/new/?task={task.pk}").content.decode()
    assert 'value="Yesenia"' in form and 'value="Okonkwo-Delacroix"' in form
    assert 'name="minor"' in form and "checked" in form.split('name="minor"')[1][:80]
    response = client.post(f"/survivors/new/?task={task.pk}", {
        "task": task.pk, "given_name": "Yesenia", "family_name": "Okonkwo-Delacroix",
        "minor": "on", "language": "es", "reminder_channel": "sms",
        "sexual_orientation_choice": "not_recorded", "gender_identity_choice": "not_recorded",
    })
    assert response.status_code == 302
    survivor = Survivor.objects.get()
    assert survivor.advocate_id == advocate.pk and survivor.minor
    link = CaseLink.objects.get(survivor=survivor)
    assert (link.case_id, link.relation) == (task.case_id, "declined_seller")
    task.refresh_from_db()
    assert (task.state, task.owner_id) == ("done", advocate.pk)
    assert task.case.number not in client.get("/survivors/").content.decode()


def test_another_roles_task_or_a_missing_one_is_not_found() -> None:
    task = minors_referral_task()
    FollowUpTask.objects.filter(pk=task.pk).update(owner_role="trafficking_ada")
    client = sign_in(Client(), make_user("advocate"))
    assert client.get(f"/survivors/new/?task={task.pk}").status_code == 404
    assert client.get("/survivors/new/?task=99999").status_code == 404
    assert "Yesenia" not in client.get("/survivors/").content.decode()
