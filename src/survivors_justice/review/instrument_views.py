"""The advocate's screening pages: consent in the person's language, then one question a page.

Built for a tablet held between two people: large answer buttons, the question in the person's
language (with the translation's review status shown to the advocate), "I don't know" and "I'd
rather not say" always offered, resumable at any time, and a way to stop that sends nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from survivors_justice.accounts.models import User
from survivors_justice.audit.reads import audit_read
from survivors_justice.cases.models import Case
from survivors_justice.instrument import default_instrument, next_question, progress
from survivors_justice.instrument.model import QuestionKind, TranslationStatus
from survivors_justice.permissions import Action, can, not_found, require
from survivors_justice.review import administer
from survivors_justice.review.models import (
    AdministrationState,
    ConsentMethod,
    InstrumentAdministration,
)


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionError("a signed-in account is required")
    return user


def _language(request: HttpRequest, default: str = "en") -> str:
    code = request.GET.get("lang") or request.POST.get("language") or default
    return code if code in default_instrument().languages else "en"


def _status_note(code: str) -> str:
    lang = default_instrument().languages[code]
    if lang.status is TranslationStatus.SOURCE:
        return ""
    if lang.status is TranslationStatus.REVIEWED:
        return f"{lang.name}: reviewed by a qualified translator ({lang.reviewer})."
    return f"{lang.name}: draft translation, not yet reviewed by a qualified translator."


@require_http_methods(["GET", "HEAD", "POST"])
@require(Action.ADMINISTER_INSTRUMENT)
def start(request: HttpRequest, pk: int) -> HttpResponseBase:
    case = Case.objects.select_related("arrest").filter(pk=pk).first()
    if case is None or not can(request.user, Action.ADMINISTER_INSTRUMENT, case):
        return not_found(request)
    ins = default_instrument()
    language = _language(request)
    error = ""
    if request.method == "POST":
        try:
            adm = administer.start(
                actor=_user(request),
                case=case,
                language=language,
                consent_method=request.POST.get("consent_method", ""),
                consent=request.POST.get("consent") == "yes",
            )
        except administer.AdministrationError as exc:
            error = str(exc)
        else:
            return redirect("screenings:question", pk=adm.pk)
    return render(
        request,
        "review/instrument_start.html",
        {
            "case": case,
            "instrument": ins,
            "language": language,
            "languages": ins.languages.values(),
            "consent_text": ins.text("consent", language),
            "status_note": _status_note(language),
            "methods": ConsentMethod.choices,
            "error": error,
            "in_progress": InstrumentAdministration.objects.filter(
                case=case, advocate=_user(request), state=AdministrationState.IN_PROGRESS
            ).first(),
        },
    )


def _administration(request: HttpRequest, pk: int) -> InstrumentAdministration | None:
    adm = InstrumentAdministration.objects.select_related("case").filter(pk=pk).first()
    if adm is None or adm.advocate_id != getattr(request.user, "pk", None):
        return None
    if not can(request.user, Action.ADMINISTER_INSTRUMENT, adm.case):
        return None
    return adm


@require_http_methods(["GET", "HEAD", "POST"])
@require(Action.ADMINISTER_INSTRUMENT)
def question(request: HttpRequest, pk: int) -> HttpResponseBase:
    adm = _administration(request, pk)
    if adm is None:
        return not_found(request)
    if adm.state != AdministrationState.IN_PROGRESS:
        return render(request, "review/instrument_done.html", {"adm": adm, "saved": True})
    try:
        ins = administer.instrument_for(adm)
    except administer.AdministrationError as exc:
        messages.error(request, str(exc))
        return redirect("screenings:start", pk=adm.case_id)
    answers = administer.answers_of(adm)
    error = ""
    if request.method == "POST":
        qid = request.POST.get("question", "")
        try:
            administer.answer(actor=_user(request), adm=adm, question=qid,
                              value=request.POST.get("answer", ""))  # fmt: skip
        except administer.AdministrationError as exc:
            error = str(exc)
        else:
            return redirect("screenings:question", pk=adm.pk)
    asked = request.GET.get("q")
    current = None
    if asked:
        current = next((q for q in ins.questions if q.id == asked), None)
    if current is None:
        current = next_question(ins, answers)
    audit_read(request, adm, action="instrument.read")
    if current is None:
        context = {"adm": adm, "saved": False, "answered": len(answers)}
        return render(request, "review/instrument_done.html", context)
    done, total = progress(ins, answers)
    index = [q.id for q in ins.questions].index(current.id)
    previous = next(
        (q for q in reversed(ins.questions[:index]) if q.id in answers), None
    )
    lang = adm.language
    options = (
        [(o.value, o.text.get(lang) or o.text["en"], o.text["en"]) for o in current.options]
        if current.kind is QuestionKind.CHOICE
        else []
    )
    return render(
        request,
        "review/instrument_question.html",
        {
            "adm": adm,
            "q": current,
            "text": current.text.get(lang) or current.text["en"],
            "text_en": current.text["en"],
            "options": options,
            "number": current.kind is QuestionKind.NUMBER,
            "given": answers.get(current.id),
            "done": done,
            "total": total,
            "position": done + 1 if current.id not in answers else index + 1,
            "previous": previous,
            "status_note": _status_note(lang),
            "error": error,
        },
    )


@require_POST
@require(Action.ADMINISTER_INSTRUMENT)
def finish(request: HttpRequest, pk: int) -> HttpResponseBase:
    adm = _administration(request, pk)
    if adm is None:
        return not_found(request)
    try:
        out = administer.finish(actor=_user(request), adm=adm)
    except administer.AdministrationError as exc:
        messages.error(request, str(exc))
        return redirect("screenings:question", pk=adm.pk)
    messages.success(
        request,
        f"The screening's {len(out['facts'])} fact(s) are on the case, and the case was "
        "screened again.",
    )
    return redirect("screenings:question", pk=adm.pk)


@require_POST
@require(Action.ADMINISTER_INSTRUMENT)
def stop(request: HttpRequest, pk: int) -> HttpResponseBase:
    adm = _administration(request, pk)
    if adm is None:
        return not_found(request)
    administer.stop(actor=_user(request), adm=adm)
    messages.info(request, "The screening is stopped. Nothing was sent to the case.")
    return redirect("screenings:question", pk=adm.pk)


