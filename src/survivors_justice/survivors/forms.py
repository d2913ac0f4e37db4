"""Forms of the survivor pages; USWDS classes set here so templates stay plain."""

from __future__ import annotations

from typing import Any

from django import forms

from survivors_justice.partners.models import Need, Organisation
from survivors_justice.survivors.models import (
    DECLINED,
    NOT_RECORDED,
    CaseRelation,
    Category,
    CertificationKind,
    Channel,
    Consent,
    Domain,
    GivenHow,
    Language,
    StaffHours,
)

SOGI_CHOICES = [(NOT_RECORDED, "Not recorded (not asked)"), (DECLINED, "Declined to say"),
                ("own_words", "In their own words (below)")]


class USWDSForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            w = field.widget
            if isinstance(w, forms.CheckboxSelectMultiple):
                w.attrs.setdefault("class", "usa-checkbox__input")
            elif isinstance(w, forms.RadioSelect):
                w.attrs.setdefault("class", "usa-radio__input")
            elif isinstance(w, forms.CheckboxInput):
                w.attrs.setdefault("class", "usa-checkbox__input")
            elif isinstance(w, forms.Select):
                w.attrs.setdefault("class", "usa-select")
            elif isinstance(w, forms.Textarea):
                w.attrs.setdefault("class", "usa-textarea")
                w.attrs.setdefault("rows", 3)
            else:
                w.attrs.setdefault("class", "usa-input")


def _date() -> forms.DateField:
    return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


class SurvivorForm(USWDSForm):
    given_name = forms.CharField(required=False, max_length=200)
    family_name = forms.CharField(required=False, max_length=200)
    preferred_name = forms.CharField(required=False, max_length=200,
                                     help_text="The name to use with them.")
    date_of_birth = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    minor = forms.BooleanField(required=False, label="Under 18")
    language = forms.ChoiceField(choices=Language.choices, label="Language they prefer")
    interpreter_needed = forms.BooleanField(required=False, label="Needs an interpreter")
    phone = forms.CharField(required=False, max_length=40)
    email = forms.EmailField(required=False)
    address = forms.CharField(required=False, widget=forms.Textarea)
    safe_contact_note = forms.CharField(required=False, widget=forms.Textarea,
                                        label="When and how it is safe to reach them")
    reminder_channel = forms.ChoiceField(choices=Channel.choices, label="Reminders by")
    sexual_orientation_choice = forms.ChoiceField(
        choices=SOGI_CHOICES, label="Sexual orientation (only as they say it)",
        widget=forms.RadioSelect, initial=NOT_RECORDED)
    sexual_orientation_words = forms.CharField(required=False, max_length=200,
                                               label="Sexual orientation, their words")
    gender_identity_choice = forms.ChoiceField(
        choices=SOGI_CHOICES, label="Gender identity (only as they say it)",
        widget=forms.RadioSelect, initial=NOT_RECORDED)
    gender_identity_words = forms.CharField(required=False, max_length=200,
                                            label="Gender identity, their words")
    immigration_status = forms.CharField(required=False, widget=forms.Textarea)
    health_notes = forms.CharField(required=False, widget=forms.Textarea, label="Health")
    narrative = forms.CharField(required=False, widget=forms.Textarea,
                                label="What happened, in their words")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for key in ("sexual_orientation", "gender_identity"):
            choice, words = data.get(f"{key}_choice"), (data.get(f"{key}_words") or "").strip()
            if choice == "own_words" and not words:
                self.add_error(f"{key}_words", "Write their words, or choose another answer.")
        return data

    def survivor_fields(self) -> dict[str, Any]:
        d = dict(self.cleaned_data)
        out: dict[str, Any] = {}
        for key in ("sexual_orientation", "gender_identity"):
            choice = d.pop(f"{key}_choice")
            words = d.pop(f"{key}_words", "")
            out[key] = words.strip() if choice == "own_words" else choice
        dob = d.pop("date_of_birth")
        out["date_of_birth"] = dob.isoformat() if dob else ""
        out.update(d)
        return out

    @classmethod
    def initial_from(cls, survivor: Any) -> dict[str, Any]:
        initial: dict[str, Any] = {
            name: getattr(survivor, name) for name in cls.base_fields
            if hasattr(survivor, name) and name != "date_of_birth"
        }
        initial["date_of_birth"] = survivor.date_of_birth or None
        for key in ("sexual_orientation", "gender_identity"):
            value = getattr(survivor, key)
            if value in (NOT_RECORDED, DECLINED):
                initial[f"{key}_choice"] = value
            else:
                initial[f"{key}_choice"], initial[f"{key}_words"] = "own_words", value
        return initial


class ConsentForm(USWDSForm):
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.all(),
                                          label="Organisation that may receive it")
    categories = forms.MultipleChoiceField(choices=Category.choices,
                                           widget=forms.CheckboxSelectMultiple,
                                           label="What they may see")
    purpose = forms.CharField(widget=forms.Textarea, label="What it is for",
                              help_text="In the words you used with the person.")
    starts_on = _date()
    ends_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}),
                              label="Ends on (required)",
                              help_text="At most a year. The person can withdraw it at any time.")
    given_how = forms.ChoiceField(choices=GivenHow.choices, widget=forms.RadioSelect,
                                  label="How they gave it")
    language = forms.ChoiceField(choices=Language.choices,
                                 label="Language it was explained in")
    interpreter = forms.CharField(required=False, max_length=200,
                                  label="Interpreter's name (if any)")
    witness = forms.CharField(required=False, max_length=200,
                              label="Witness's name (needed for a verbal consent)")


class ReferralForm(USWDSForm):
    consent: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=Consent.objects.none(), label="Consent it relies on",
        help_text="Only current consents are listed.")
    need = forms.ChoiceField(choices=Need.choices)
    note = forms.CharField(required=False, widget=forms.Textarea,
                           label="Note for the partner",
                           help_text="The partner sees this only while a consent is current.")

    def __init__(self, *args: Any, consents: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["consent"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = consents
        field.label_from_instance = lambda obj: (  # type: ignore[method-assign]
            f"{obj.organisation.name}: {', '.join(obj.categories)} (until {obj.ends_on:%d %b %Y})"
        )


class RespondForm(USWDSForm):
    decision = forms.ChoiceField(choices=[("accept", "Accept"), ("decline", "Decline")],
                                 widget=forms.RadioSelect)
    reason = forms.CharField(required=False, widget=forms.Textarea,
                             label="Why you decline (the advocate sees this)")


class ServiceForm(USWDSForm):
    started_on = _date()
    ended_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}),
                               label="Ended on (leave empty while it goes on)")
    outcome = forms.CharField(required=False, widget=forms.Textarea)


class GoalForm(USWDSForm):
    domain = forms.ChoiceField(choices=Domain.choices, label="Area of life")
    in_own_words = forms.CharField(widget=forms.Textarea, label="The goal, in their own words")


class StepForm(USWDSForm):
    text = forms.CharField(label="Step", max_length=500)
    owner = forms.CharField(label="Who does it", max_length=200)
    due_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))


class CheckInForm(USWDSForm):
    on = _date()
    note = forms.CharField(widget=forms.Textarea)


class DiversionOfferForm(USWDSForm):
    programme = forms.CharField(max_length=200)
    conditions = forms.CharField(required=False, widget=forms.Textarea)


class DiversionUpdateForm(USWDSForm):
    answer = forms.ChoiceField(required=False, choices=[("", "No change"),
                                                        ("accepted", "Accepted"),
                                                        ("declined", "Declined")])
    progress = forms.CharField(required=False, widget=forms.Textarea)
    completed_on = forms.DateField(required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))


class BookingForm(USWDSForm):
    hours: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=StaffHours.objects.none(), label="Service and room")
    day = _date()
    start = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}))
    minutes = forms.IntegerField(min_value=15, max_value=240, initial=60)

    def __init__(self, *args: Any, hours: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["hours"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = hours
        days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        field.label_from_instance = lambda obj: (  # type: ignore[method-assign]
            f"{obj.service} ({obj.organisation.name}), {obj.room.name}, {days[obj.weekday]} "
            f"{obj.starts:%H:%M}-{obj.ends:%H:%M}"
        )


class CertificationForm(USWDSForm):
    kind = forms.ChoiceField(choices=CertificationKind.choices)
    agency = forms.CharField(required=False, max_length=200,
                             label="Federal agency (Continued Presence only)")


class CertificationUpdateForm(USWDSForm):
    state = forms.ChoiceField(choices=[("signed", "Signed"), ("refused", "Refused"),
                                       ("referred", "Referred to federal law enforcement")])
    on = _date()


class LinkCaseForm(USWDSForm):
    case_number = forms.CharField(max_length=30)
    relation = forms.ChoiceField(choices=CaseRelation.choices)


class AssignForm(USWDSForm):
    survivor = forms.IntegerField(label="Survivor record number", min_value=1)
    to = forms.EmailField(label="Staff member's email address")
