"""Survivors, their consents, referrals, healing plans, diversion, bookings and certifications.

Personal fields are :class:`PersonalTextField` (encrypted at rest). Sexual orientation and gender
identity are self-reported only: :data:`NOT_RECORDED` and :data:`DECLINED` are answers of their
own, anything else is the person's own words; all three are encrypted.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models

from survivors_justice.fields import PersonalTextField
from survivors_justice.partners.models import Need

NOT_RECORDED = "not_recorded"
DECLINED = "declined_to_say"
SOGI_LABELS = {NOT_RECORDED: "Not recorded", DECLINED: "Declined to say"}


class Language(models.TextChoices):
    """Queens' largest languages (DESIGN.md > Language); other codes may be typed in."""

    ENGLISH = "en", "English"
    SPANISH = "es", "Spanish"
    CHINESE = "zh", "Chinese"
    KOREAN = "ko", "Korean"
    BENGALI = "bn", "Bengali"
    RUSSIAN = "ru", "Russian"


class Channel(models.TextChoices):
    SMS = "sms", "Text message"
    PHONE = "phone", "Phone call"
    EMAIL = "email", "Email"
    NONE = "none", "No reminders"


class Survivor(models.Model):
    """A person the office serves; stands alone or is linked to cases (``CaseLink``)."""

    given_name = PersonalTextField()
    family_name = PersonalTextField()
    preferred_name = PersonalTextField()
    date_of_birth = PersonalTextField(help_text="ISO date, as the person gave it")
    phone = PersonalTextField()
    email = PersonalTextField()
    address = PersonalTextField()
    safe_contact_note = PersonalTextField(help_text="when and how it is safe to reach them")
    immigration_status = PersonalTextField()
    health_notes = PersonalTextField()
    narrative = PersonalTextField()
    sexual_orientation = PersonalTextField(default=NOT_RECORDED)
    gender_identity = PersonalTextField(default=NOT_RECORDED)
    minor = models.BooleanField(default=False, help_text="under 18 when the record was opened")
    language = models.CharField(max_length=12, default=Language.ENGLISH)
    interpreter_needed = models.BooleanField(default=False)
    reminder_channel = models.CharField(max_length=10, choices=Channel.choices,
                                        default=Channel.NONE)
    advocate = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="caseload")
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # the caseload page: an advocate's open records, newest first, read 26 at a time
            # (a partial index: "closed_at IS NULL" inside a composite key cannot give the order)
            models.Index(fields=["advocate", "-opened_at"], name="survivor_open_caseload",
                         condition=models.Q(closed_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"survivor {self.pk}"


class CaseRelation(models.TextChoices):
    DECLINED_SELLER = "declined_seller", "Declined on a selling charge"
    VICTIM = "victim", "Victim in a buyer's, promoter's or trafficker's case"


class CaseLink(models.Model):
    survivor = models.ForeignKey(Survivor, on_delete=models.CASCADE, related_name="case_links")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    relation = models.CharField(max_length=20, choices=CaseRelation.choices)
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survivor", "case"],
                                               name="one_link_per_survivor_case")]


class Category(models.TextChoices):
    """What a consent may release (the issue's six categories)."""

    CONTACT = "contact", "Contact details"
    IDENTITY = "identity", "Identity (name, date of birth, gender, orientation)"
    IMMIGRATION = "immigration", "Immigration status"
    HEALTH = "health", "Health"
    CASE_STATUS = "case_status", "Case status"
    NARRATIVE = "narrative", "What happened (narrative)"


class GivenHow(models.TextChoices):
    SIGNED = "signed_in_person", "Signed in person"
    VERBAL = "verbal_with_witness", "Verbal, with a witness"


class Consent(models.Model):
    """A survivor's informed, written, time-limited permission to share with one organisation."""

    survivor = models.ForeignKey(Survivor, on_delete=models.CASCADE, related_name="consents")
    organisation = models.ForeignKey("partners.Organisation", on_delete=models.PROTECT,
                                     related_name="consents")
    categories = models.JSONField(help_text="Category codes")
    purpose = models.TextField()
    starts_on = models.DateField()
    ends_on = models.DateField()
    given_how = models.CharField(max_length=30, choices=GivenHow.choices)
    language = models.CharField(max_length=12, help_text="the language it was explained in")
    interpreter = models.CharField(max_length=200, blank=True, default="")
    witness = models.CharField(max_length=200, blank=True, default="")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["organisation", "survivor", "ends_on"])]

    def is_current(self, today: date) -> bool:
        return self.revoked_at is None and self.starts_on <= today <= self.ends_on

    def __str__(self) -> str:
        return f"consent {self.pk}"


class Disclosure(models.Model):
    """What was shown to whom outside the office, and the consent it relied on."""

    survivor = models.ForeignKey(Survivor, on_delete=models.CASCADE, related_name="disclosures")
    organisation = models.ForeignKey("partners.Organisation", on_delete=models.PROTECT,
                                     related_name="+")
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="disclosures")
    category = models.CharField(max_length=20, choices=Category.choices)
    to_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="+")
    at = models.DateTimeField(db_index=True)
    where = models.CharField(max_length=100, help_text="the page or endpoint")


class ReferralState(models.TextChoices):
    SENT = "sent", "Sent, waiting for the partner"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined by the partner"
    IN_SERVICE = "in_service", "Receiving the service"
    CLOSED = "closed", "Closed with an outcome"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Referral(models.Model):
    survivor = models.ForeignKey(Survivor, on_delete=models.CASCADE, related_name="referrals")
    organisation = models.ForeignKey("partners.Organisation", on_delete=models.PROTECT,
                                     related_name="referrals")
    service = models.ForeignKey("partners.Service", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="referrals")
    need = models.CharField(max_length=20, choices=Need.choices)
    note = PersonalTextField(help_text="for the partner; may hold personal data")
    state = models.CharField(max_length=20, choices=ReferralState.choices,
                             default=ReferralState.SENT, db_index=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="+")
    sent_at = models.DateTimeField()
    respond_by = models.DateField(help_text="the partner answers by then, or it comes back")
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    decline_reason = models.TextField(blank=True, default="")
    service_started_on = models.DateField(null=True, blank=True)
    service_ended_on = models.DateField(null=True, blank=True)
    outcome = models.TextField(blank=True, default="")
    returned_at = models.DateTimeField(null=True, blank=True,
                                       help_text="came back to the advocate as overdue")

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "-sent_at"], name="referral_partner_list"),
            models.Index(fields=["state", "respond_by"], name="referral_overdue"),
            # declined lately (the caseload's "came back" list); few rows, kept small by the state
            models.Index(fields=["responded_at"], name="referral_declined_recent",
                         condition=models.Q(state="declined")),
        ]


class Domain(models.TextChoices):
    SAFETY = "safety", "Safety"
    HOUSING = "housing", "Housing"
    HEALTH = "health", "Health"
    MENTAL_HEALTH = "mental_health", "Mental health"
    SUBSTANCE_USE = "substance_use", "Substance use"
    IMMIGRATION = "immigration", "Immigration"
    LEGAL = "legal", "Legal"
    EDUCATION_WORK = "education_work", "Education and work"
    INCOME = "income", "Income"
    FAMILY = "family", "Family"


class Goal(models.Model):
    """A healing-plan goal, in the survivor's own words."""

    survivor = models.ForeignKey(Survivor, on_delete=models.CASCADE, related_name="goals")
    domain = models.CharField(max_length=20, choices=Domain.choices)
    in_own_words = PersonalTextField()
    created_at = models.DateTimeField(auto_now_add=True)
    achieved_on = models.DateField(null=True, blank=True)


class Step(models.Model):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="steps")
    text = PersonalTextField()
    owner = models.CharField(max_length=200, help_text="who does it: the survivor, a partner...")
    due_on = models.DateField(null=True, blank=True)
    done_on = models.DateField(null=True, blank=True)


class CheckIn(models.Model):
    survivor = models.ForeignKey(Survivor, on_delete=models.CASCADE, related_name="check_ins")
    on = models.DateField()
    note = PersonalTextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")


class DiversionAnswer(models.TextChoices):
    WAITING = "waiting", "Not answered yet"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined (no consequence for services)"


class Diversion(models.Model):
    """A diversion programme offered (never imposed), tracked to a recommendation to dismiss."""

    survivor = models.ForeignKey(Survivor, on_delete=models.CASCADE, related_name="diversions")
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    programme = models.CharField(max_length=200)
    offered_on = models.DateField()
    answer = models.CharField(max_length=10, choices=DiversionAnswer.choices,
                              default=DiversionAnswer.WAITING)
    answered_on = models.DateField(null=True, blank=True)
    conditions = models.TextField(blank=True, default="")
    progress = PersonalTextField()
    completed_on = models.DateField(null=True, blank=True)
    recommended_on = models.DateField(null=True, blank=True,
                                      help_text="recommendation to dismiss and seal made")
    act_by = models.DateField(null=True, blank=True, help_text="the prosecutor acts by then")


class Room(models.Model):
    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True, default="")

    def __str__(self) -> str:
        return self.name


class StaffHours(models.Model):
    """A partner's staff in the office: a room, a weekday and hours."""

    organisation = models.ForeignKey("partners.Organisation", on_delete=models.CASCADE,
                                     related_name="onsite_hours")
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="hours")
    weekday = models.PositiveSmallIntegerField(help_text="0 = Monday")
    starts = models.TimeField()
    ends = models.TimeField()
    service = models.CharField(max_length=200)

    @property
    def weekday_name(self) -> str:
        return ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
                "Sunday")[self.weekday]


class Booking(models.Model):
    survivor = models.ForeignKey(Survivor, on_delete=models.CASCADE, related_name="bookings")
    hours = models.ForeignKey(StaffHours, on_delete=models.PROTECT, related_name="bookings")
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()
    language = models.CharField(max_length=12)
    interpreter_needed = models.BooleanField(default=False)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")


class Reminder(models.Model):
    """A reminder queued for sending (the sending itself is outside this application)."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="reminders")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    language = models.CharField(max_length=12)
    send_at = models.DateTimeField()
    text = PersonalTextField()
    state = models.CharField(max_length=10, default="queued")


class CertificationKind(models.TextChoices):
    T_VISA = "t_visa_i914b", "T visa: Form I-914 Supplement B"
    U_VISA = "u_visa_i918b", "U visa: Form I-918 Supplement B"
    CONTINUED_PRESENCE = "continued_presence", "Continued Presence referral (federal)"


class CertificationState(models.TextChoices):
    REQUESTED = "requested", "Requested"
    SIGNED = "signed", "Signed"
    REFUSED = "refused", "Refused"
    REFERRED = "referred", "Referred to federal law enforcement"


class Certification(models.Model):
    survivor = models.ForeignKey(Survivor, on_delete=models.CASCADE,
                                 related_name="certifications")
    kind = models.CharField(max_length=20, choices=CertificationKind.choices)
    state = models.CharField(max_length=12, choices=CertificationState.choices,
                             default=CertificationState.REQUESTED)
    requested_on = models.DateField()
    target_on = models.DateField(help_text="the office's target for a signature")
    signed_on = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True,
                                   help_text="file with USCIS by then (six months from signing)")
    agency = models.CharField(max_length=200, blank=True, default="",
                              help_text="Continued Presence: the federal agency referred to")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
