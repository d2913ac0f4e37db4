"""Read and check an instrument document; refuse it whole, listing every problem."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from survivors_justice.instrument.errors import InstrumentDocumentError
from survivors_justice.instrument.model import (
    ANSWERABLE_FACTS,
    NOT_ANSWERS,
    REQUIRED_LANGUAGES,
    SOURCE_LANGUAGE,
    Condition,
    Element,
    FactMapping,
    Instrument,
    Language,
    Option,
    Question,
    QuestionKind,
    TranslationStatus,
)

DOCUMENTS_DIR = Path(__file__).resolve().parent / "documents"
DEFAULT_INSTRUMENT = DOCUMENTS_DIR / "screening-1.yaml"
_FIXED_TEXTS = ("consent", "done")


class _Check:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, message: str) -> None:
        self.problems.append(message)

    def mapping(self, value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.add(f"{where} must be a mapping, not {type(value).__name__}")
            return {}
        return value

    def translations(
        self, value: Any, where: str, languages: dict[str, Language]
    ) -> dict[str, str]:
        texts = self.mapping(value, where)
        for code in languages:
            text = texts.get(code)
            if not isinstance(text, str) or not text.strip():
                self.add(
                    f"{where} has no {code!r} text; give one for every language of the instrument"
                )
        for code in texts:
            if code not in languages:
                self.add(f"{where} has text in {code!r}, which is not a language of the instrument")
        return {k: str(v) for k, v in texts.items()}


def parse_instrument(text: str, *, path: str = "<instrument>") -> Instrument:
    """Parse an instrument document (YAML text). Raises InstrumentDocumentError on any fault."""
    chk = _Check()
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InstrumentDocumentError([f"not valid YAML: {exc}"], path=path) from None
    doc = chk.mapping(raw, "the document")
    languages = _languages(chk, doc.get("languages"))
    texts = {
        key: chk.translations(
            chk.mapping(doc.get("texts"), "texts").get(key), f"texts.{key}", languages
        )
        for key in _FIXED_TEXTS
    }
    sets: dict[str, tuple[Option, ...]] = {}
    for name, options in chk.mapping(doc.get("answer_sets"), "answer_sets").items():
        sets[str(name)] = _options(chk, options, f"answer_sets.{name}", languages)
    questions: list[Question] = []
    seen: set[str] = set()
    for i, q in enumerate(doc.get("questions") or []):
        question = _question(chk, q, f"questions[{i}]", languages, sets, seen)
        if question is not None:
            questions.append(question)
            seen.add(question.id)
    if not questions:
        chk.add("questions: the instrument has no questions")
    version = doc.get("version")
    if not isinstance(version, int) or version < 1:
        chk.add(f"version must be a whole number from 1, not {version!r}")
    for key in ("id", "title"):
        if not isinstance(doc.get(key), str) or not doc[key].strip():
            chk.add(f"{key} is missing; give the instrument's {key}")
    if chk.problems:
        raise InstrumentDocumentError(chk.problems, path=path)
    return Instrument(
        id=str(doc["id"]),
        version=int(version),  # type: ignore[arg-type]  # checked above
        title=str(doc["title"]),
        languages=languages,
        texts=texts,
        questions=tuple(questions),
        source_text=text,
    )


def _languages(chk: _Check, value: Any) -> dict[str, Language]:
    out: dict[str, Language] = {}
    for code, spec in chk.mapping(value, "languages").items():
        spec = chk.mapping(spec, f"languages.{code}")
        try:
            status = TranslationStatus(str(spec.get("status")))
        except ValueError:
            allowed = ", ".join(s.value for s in TranslationStatus)
            chk.add(f"languages.{code}.status is {spec.get('status')!r}; use one of {allowed}")
            continue
        if status is TranslationStatus.REVIEWED and not spec.get("reviewer"):
            chk.add(f"languages.{code} is marked reviewed without a reviewer; name who reviewed it")
        out[str(code)] = Language(
            code=str(code),
            name=str(spec.get("name", code)),
            status=status,
            reviewer=spec.get("reviewer"),
            reviewed_on=str(spec["reviewed_on"]) if spec.get("reviewed_on") else None,
        )
    for code in REQUIRED_LANGUAGES:
        if code not in out:
            chk.add(
                f"languages has no {code!r}; the office requires {', '.join(REQUIRED_LANGUAGES)}"
            )
    if SOURCE_LANGUAGE in out and out[SOURCE_LANGUAGE].status is not TranslationStatus.SOURCE:
        chk.add(f"languages.{SOURCE_LANGUAGE} must have status 'source'")
    return out


def _options(
    chk: _Check, value: Any, where: str, languages: dict[str, Language]
) -> tuple[Option, ...]:
    if not isinstance(value, list) or not value:
        chk.add(f"{where} must be a non-empty list of answers")
        return ()
    options = []
    for j, opt in enumerate(value):
        opt = chk.mapping(opt, f"{where}[{j}]")
        options.append(
            Option(
                value=str(opt.get("value")),
                text=chk.translations(opt.get("text"), f"{where}[{j}].text", languages),
            )
        )
    values = {o.value for o in options}
    for needed in sorted(NOT_ANSWERS):
        if needed not in values:
            chk.add(f"{where} lacks {needed!r}: every question must allow it (never read as 'no')")
    return tuple(options)


def _question(
    chk: _Check,
    value: Any,
    where: str,
    languages: dict[str, Language],
    sets: dict[str, tuple[Option, ...]],
    earlier: set[str],
) -> Question | None:
    q = chk.mapping(value, where)
    qid = q.get("id")
    if not isinstance(qid, str) or not qid:
        chk.add(f"{where} has no id")
        return None
    where = f"question {qid!r}"
    if qid in earlier:
        chk.add(f"{where} is defined twice; ids must be unique")
    try:
        kind = QuestionKind(str(q.get("kind")))
    except ValueError:
        chk.add(f"{where}: kind {q.get('kind')!r} is not one of choice, number")
        return None
    options: tuple[Option, ...] = ()
    if kind is QuestionKind.CHOICE:
        set_name = q.get("answers")
        if set_name not in sets:
            chk.add(f"{where}: answers {set_name!r} is not an answer set ({', '.join(sets)})")
        options = sets.get(str(set_name), ())
    low, high = q.get("min"), q.get("max")
    if kind is QuestionKind.NUMBER and not (
        isinstance(low, int) and isinstance(high, int) and low <= high
    ):
        chk.add(f"{where}: a number question needs whole-number min and max (min <= max)")
    values = {o.value for o in options}
    mappings = []
    for k, m in enumerate(q.get("facts") or []):
        m = chk.mapping(m, f"{where}.facts[{k}]")
        fact = m.get("fact")
        if fact not in ANSWERABLE_FACTS:
            chk.add(
                f"{where}: fact {fact!r} is not one an instrument may answer "
                f"({', '.join(sorted(ANSWERABLE_FACTS))})"
            )
        mapping = m.get("map")
        if kind is QuestionKind.CHOICE:
            if not isinstance(mapping, dict) or not mapping:
                chk.add(f"{where}: fact {fact!r} needs a map from answers to true/false")
                mapping = {}
            for ans, fact_value in mapping.items():
                if str(ans) not in values:
                    chk.add(f"{where}: map names answer {ans!r}, which the question does not offer")
                if str(ans) in NOT_ANSWERS:
                    chk.add(f"{where}: {ans!r} may not give a fact; it leaves the fact unknown")
                if not isinstance(fact_value, bool):
                    chk.add(f"{where}: map value for {ans!r} must be true or false")
            mappings.append(
                FactMapping(str(fact), map={str(a): bool(v) for a, v in mapping.items()})
            )
        else:
            below, fv = m.get("below"), m.get("value")
            if not isinstance(below, int) or not isinstance(fv, bool):
                chk.add(
                    f"{where}: a number question's fact needs a whole-number below "
                    "and a true/false value"
                )
                continue
            mappings.append(FactMapping(str(fact), below=below, value=fv))
    if not mappings:
        chk.add(f"{where}: the question gives no fact; every question must map to a policy fact")
    elements = []
    for e in q.get("elements") or []:
        e = chk.mapping(e, f"{where}.elements")
        if not e.get("statute") or not e.get("element"):
            chk.add(f"{where}: each element needs a statute and the element's words")
            continue
        elements.append(Element(str(e["statute"]), str(e["element"])))
    if not elements:
        chk.add(f"{where}: name the statutory elements (PL 230.34, 135.35) the question speaks to")
    ask_if = None
    if q.get("ask_if") is not None:
        cond = chk.mapping(q["ask_if"], f"{where}.ask_if")
        target = cond.get("question")
        if target not in earlier:
            chk.add(f"{where}: ask_if names {target!r}, which is not an earlier question")
        answer_in = cond.get("answer_in")
        if not isinstance(answer_in, list) or not answer_in:
            chk.add(f"{where}: ask_if needs answer_in, a list of answers")
            answer_in = []
        ask_if = Condition(str(target), tuple(str(a) for a in answer_in))
    return Question(
        id=qid,
        kind=kind,
        text=chk.translations(q.get("text"), f"{where}.text", languages),
        options=options,
        facts=tuple(mappings),
        elements=tuple(elements),
        ask_if=ask_if,
        min=low if isinstance(low, int) else None,
        max=high if isinstance(high, int) else None,
    )


def load_instrument(path: Path | str | None = None) -> Instrument:
    """Load an instrument document from a file (default: the office's current instrument)."""
    p = Path(path) if path is not None else DEFAULT_INSTRUMENT
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InstrumentDocumentError([f"cannot read the file: {exc}"], path=str(p)) from None
    return parse_instrument(text, path=str(p))


@lru_cache(maxsize=1)
def default_instrument() -> Instrument:
    return load_instrument(DEFAULT_INSTRUMENT)
