"""The review panel (issue: a panel "welcoming sex workers, advocates and experts to the table").

Seats by kind; a member may sit only with a signed confidentiality acknowledgment, within their
term and with training current. A session's docket orders cases by their CPL 30.30 days left.
Positions are kept per member, but what a prosecutor sees of a determination is the vote count
only, never who voted which way.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from survivors_justice.fields import PersonalTextField

TEXT_LIMIT = 2000  # a position's or a conflict's free text


class SeatKind(models.TextChoices):
    LIVED_EXPERIENCE = "lived_experience", "Person with lived experience of the sex trade"
    ADVOCATE = "advocate", "Victim advocate"
    EXPERT = "expert", "Expert (e.g. trafficking clinician, immigration lawyer)"
    PROSECUTOR = "prosecutor", "Prosecutor (does not vote)"


VOTING_SEATS = frozenset({SeatKind.LIVED_EXPERIENCE, SeatKind.ADVOCATE, SeatKind.EXPERT})


class PanelMember(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="panel_membership"
    )
    seat = models.CharField(max_length=30, choices=SeatKind.choices)
    term_start = models.DateField()
    term_end = models.DateField()
    confidentiality_signed_at = models.DateTimeField(null=True, blank=True)
    training_current_until = models.DateField(null=True, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    @property
    def votes(self) -> bool:
        return self.seat in VOTING_SEATS

    def __str__(self) -> str:
        return f"panel member {self.pk} ({self.seat})"


class SessionState(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    OPEN = "open", "In session"
    CLOSED = "closed", "Closed"


class PanelSession(models.Model):
    scheduled_for = models.DateTimeField()
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        max_length=20, choices=SessionState.choices, default=SessionState.SCHEDULED
    )
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"panel session {self.pk}"


class SessionSeat(models.Model):
    session = models.ForeignKey(PanelSession, on_delete=models.CASCADE, related_name="seats")
    member = models.ForeignKey(PanelMember, on_delete=models.PROTECT, related_name="seats")
    attended = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "member"], name="review_seat_once")
        ]


class DocketEntry(models.Model):
    session = models.ForeignKey(PanelSession, on_delete=models.CASCADE, related_name="docket")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="panel_entries")
    position = models.PositiveSmallIntegerField(help_text="order on the docket (1 = first)")
    readiness_deadline = models.DateField(null=True, blank=True)
    # The narrative as the coordinator confirmed it, personal values removed.
    redacted_narrative = PersonalTextField()
    redaction_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    redaction_confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["session", "case"], name="review_case_once_a_session")
        ]

    def __str__(self) -> str:
        return f"docket entry {self.pk}"


class Conflict(models.Model):
    entry = models.ForeignKey(DocketEntry, on_delete=models.CASCADE, related_name="conflicts")
    member = models.ForeignKey(PanelMember, on_delete=models.PROTECT, related_name="conflicts")
    declared_at = models.DateTimeField()
    reason = models.CharField(max_length=TEXT_LIMIT, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entry", "member"], name="review_conflict_once")
        ]


class Finding(models.TextChoices):
    VOLUNTARY = "voluntary", "Voluntary"
    INVOLUNTARY = "involuntary", "Involuntary"
    CANNOT_TELL = "cannot_tell", "Cannot tell"


class RecommendedOutcome(models.TextChoices):
    DECLINE = "decline", "Decline the charge"
    PROSECUTE = "prosecute", "Prosecute"
    DIVERT = "divert", "Offer voluntary services and decline"
    MORE_FACTS = "more_facts", "Gather more facts first"


class Reason(models.TextChoices):
    COERCION = "coercion", "Signs of force, threats, fraud or control"
    MINOR = "minor", "A minor was involved"
    WORKED_TOGETHER = "worked_together", "Sex workers working together for safety"
    NO_EXPLOITATION = "no_exploitation", "No one was exploited"
    EXPLOITED_OTHERS = "exploited_others", "The person exploited others"
    INSUFFICIENT = "insufficient", "Not enough information"
    OTHER = "other", "Other (see text)"


class Position(models.Model):
    entry = models.ForeignKey(DocketEntry, on_delete=models.CASCADE, related_name="positions")
    member = models.ForeignKey(PanelMember, on_delete=models.PROTECT, related_name="positions")
    finding = models.CharField(max_length=20, choices=Finding.choices)
    recommended_outcome = models.CharField(max_length=20, choices=RecommendedOutcome.choices)
    reasons = models.JSONField(default=list)
    text = models.TextField(max_length=TEXT_LIMIT, blank=True, default="")
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entry", "member"], name="review_position_once")
        ]


class Determination(models.Model):
    """The panel's determination: counts only; who voted which way stays in ``Position``."""

    entry = models.OneToOneField(
        DocketEntry, on_delete=models.PROTECT, related_name="determination"
    )
    finding = models.CharField(max_length=20, choices=Finding.choices)
    recommended_outcome = models.CharField(max_length=20, choices=RecommendedOutcome.choices)
    votes_voluntary = models.PositiveSmallIntegerField()
    votes_involuntary = models.PositiveSmallIntegerField()
    votes_cannot_tell = models.PositiveSmallIntegerField()
    reasons = models.JSONField(default=list, help_text="reasons given, with how many gave each")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"determination {self.pk}: {self.finding}"


class ConsentMethod(models.TextChoices):
    VERBAL = "verbal", "Given aloud, in the person's language"
    WRITTEN = "written", "Signed on paper, in the person's language"


class AdministrationState(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    STOPPED = "stopped", "Stopped at the person's wish"


class InstrumentAdministration(models.Model):
    """One administration of the screening instrument by an advocate, with the person's consent.

    Answers are kept per question as given; when it is completed its facts go to the case with
    their provenance (instrument version, questions, date, advocate). The person's answers are
    personal: they are stored encrypted and shown only to the advocate who asked them.
    """

    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="instrument_administrations"
    )
    advocate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    instrument = models.CharField(max_length=60, help_text="id@version of the instrument")
    language = models.CharField(max_length=12)
    consent_method = models.CharField(max_length=12, choices=ConsentMethod.choices)
    consent_recorded_at = models.DateTimeField()
    answers = PersonalTextField(help_text="JSON: question id -> answer, in the order given")
    state = models.CharField(
        max_length=20, choices=AdministrationState.choices, default=AdministrationState.IN_PROGRESS
    )
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"instrument administration {self.pk} ({self.state})"
