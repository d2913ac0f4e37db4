"""The advocate's screening pages: consent, one question a page, the facts on the case.

Expected values are read by hand from the instrument (instrument/documents/screening-1.yaml) and
the policy (policy/documents/survivors-justice.yaml): a buyer's charge (PL 2300400) is
"buyer-prosecuted" (prosecute) until force is known, then "control-priority" (priority).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from tests.cases.factories import BUYING, make_case
from tests.factories import make_user, sign_in

from survivors_justice.cases import followups
from survivors_justice.cases.models import Case, CaseFact, FollowUpKind, FollowUpTask
from survivors_justice.cases.recommendations import recommend
from survivors_justice.review.administer import answers_of
from survivors_justice.review.models import AdministrationState, InstrumentAdministration
from survivors_justice.screening.models import PolicyDecision as Screening

pytestmark = pytest.mark.django_db

# Every question asked with "debt" answered "no" (debt_grows is then skipped), in order.
NO_COERCION = {
    "age_first": "25",
    "someone_arranges": "no",
    "money": "self",
    "free_to_leave": "yes",
    "force": "yes",
    "threats": "no",
    "fraud": "no",
    "debt": "no",
    "documents": "prefer_not_to_say",
    "drugs": "dont_know",
    "work_together": "no",
}


def _referred_case() -> tuple[Case, Any, Client]:
    """A buyer's case in intake whose advocate referral an advocate has taken."""
    case = make_case(BUYING)
    task = FollowUpTask.objects.create(
        case=case, kind=FollowUpKind.REFER_TO_ADVOCATE, owner_role="advocate",
        due_date=timezone.localdate() + timedelta(days=2), rule="advocate-for-victim",
        reason="Signs that someone was exploited.", created_at=timezone.now(),
    )  # fmt: skip
    advocate = make_user("advocate")
    followups.take(actor=advocate, task_id=task.pk)
    return case, advocate, sign_in(Client(), advocate)


def _start(client: Client, case: Case, language: str) -> InstrumentAdministration:
    response = client.post(
        f"/screenings/cases/{case.pk}/start/",
        {"language": language, "consent": "yes", "consent_method": "verbal"},
    )
    assert response.status_code == 302
    adm = InstrumentAdministration.objects.get(case=case)
    assert response["Location"] == f"/screenings/{adm.pk}/"
    return adm


@pytest.mark.parametrize(
    ("language", "first_question", "yes_label"),
    [
        (
            "en",
            "How old were you the first time you traded sex for money",
            "Yes",
        ),
        (
            "es",
            "¿Qué edad tenía la primera vez que intercambió sexo por dinero",
            "Sí",
        ),
    ],
)
def test_the_advocate_screens_with_consent_and_the_facts_land_on_the_case(
    language: str, first_question: str, yes_label: str
) -> None:
    case, advocate, client = _referred_case()
    assert recommend(case).outcomes == {"1": "prosecute"}
    screenings_before = Screening.objects.filter(case=case).count()

    page = client.get(f"/screenings/cases/{case.pk}/start/?lang={language}").content.decode()
    assert f'lang="{language}"' in page
    adm = _start(client, case, language)
    assert (adm.language, adm.consent_method, adm.advocate) == (language, "verbal", advocate)
    assert adm.consent_recorded_at is not None

    page = client.get(f"/screenings/{adm.pk}/").content.decode()
    assert first_question in page
    for qid, value in NO_COERCION.items():
        response = client.post(f"/screenings/{adm.pk}/", {"question": qid, "answer": value})
        assert response.status_code == 302, (qid, response.content.decode()[:500])
        if qid == "age_first":  # the second question's answers are in the person's language
            assert f">{yes_label}<" in client.get(f"/screenings/{adm.pk}/").content.decode()

    response = client.post(f"/screenings/{adm.pk}/finish/", follow=True)
    assert response.status_code == 200
    adm.refresh_from_db()
    assert adm.state == AdministrationState.COMPLETED

    rows = {
        r.fact: (r.answer, r.value)
        for r in CaseFact.objects.filter(case=case, current=True, source="screening_instrument")
    }
    # By hand from the instrument: age 25 (not below 18), nobody arranges, keeps own money and
    # free to leave give victim_indicators no "true" — none of its mappings hold, so it is not
    # known; force yes; threats/fraud/debt no; documents prefer not to say; drugs don't know.
    assert rows["indicators.force"] == ("known", True)
    assert rows["indicators.threats"] == ("known", False)
    assert rows["indicators.fraud"] == ("known", False)
    assert rows["indicators.debt_bondage"] == ("known", False)
    assert rows["indicators.documents_withheld"] == ("prefer_not_to_say", None)
    assert rows["indicators.drugs_as_control"] == ("unknown", None)
    assert rows["co_defendants_sold_together"] == ("known", False)
    assert all(r.given_by == advocate for r in CaseFact.objects.filter(case=case))
    assert "sj-screening" in CaseFact.objects.filter(case=case).first().note  # type: ignore[union-attr]

    # screened again at once, and force makes the buyer's charge a priority (control-priority)
    case.refresh_from_db()
    assert Screening.objects.filter(case=case).count() == screenings_before + 1
    assert recommend(case).outcomes == {"1": "prosecute_priority"}


def test_an_answer_can_be_changed_and_prefer_not_to_say_is_not_no() -> None:
    case, _, client = _referred_case()
    adm = _start(client, case, "en")
    client.post(f"/screenings/{adm.pk}/", {"question": "age_first", "answer": "30"})
    client.post(f"/screenings/{adm.pk}/", {"question": "someone_arranges", "answer": "yes"})
    client.post(f"/screenings/{adm.pk}/", {"question": "someone_arranges", "answer": "no"})
    adm.refresh_from_db()
    assert answers_of(adm) == {"age_first": 30, "someone_arranges": "no"}
    # finishing before every asked question has an answer is refused, nothing sent
    response = client.post(f"/screenings/{adm.pk}/finish/", follow=True)
    assert "has no answer yet" in response.content.decode()
    assert not CaseFact.objects.filter(case=case).exists()


def test_consent_is_required() -> None:
    case, _, client = _referred_case()
    response = client.post(
        f"/screenings/cases/{case.pk}/start/",
        {"language": "en", "consent": "no", "consent_method": "verbal"},
    )
    assert response.status_code == 200
    assert "only with the person&#x27;s consent" in response.content.decode()
    assert not InstrumentAdministration.objects.exists()


def test_another_advocate_gets_404_for_the_case_and_the_screening() -> None:
    case, _, client = _referred_case()
    adm = _start(client, case, "en")
    other = sign_in(Client(), make_user("advocate"))
    assert other.get(f"/screenings/cases/{case.pk}/start/").status_code == 404
    assert other.get(f"/screenings/{adm.pk}/").status_code == 404
    post = {"question": "age_first", "answer": "20"}
    assert other.post(f"/screenings/{adm.pk}/", post).status_code == 404
    assert other.post(f"/screenings/{adm.pk}/finish/").status_code == 404
    assert other.post(f"/screenings/{adm.pk}/stop/").status_code == 404
    adm.refresh_from_db()
    assert adm.state == AdministrationState.IN_PROGRESS and adm.answers == "{}"


def test_stop_sends_nothing_to_the_case() -> None:
    case, _, client = _referred_case()
    adm = _start(client, case, "es")
    client.post(f"/screenings/{adm.pk}/", {"question": "age_first", "answer": "16"})
    response = client.post(f"/screenings/{adm.pk}/stop/", follow=True)
    assert "Nothing was sent to the case" in response.content.decode()
    adm.refresh_from_db()
    assert adm.state == AdministrationState.STOPPED and adm.finished_at is not None
    assert not CaseFact.objects.filter(case=case).exists()
    # a stopped screening takes no more answers
    client.post(f"/screenings/{adm.pk}/", {"question": "someone_arranges", "answer": "yes"})
    adm.refresh_from_db()
    assert answers_of(adm) == {"age_first": 16}
