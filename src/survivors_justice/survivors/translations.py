"""Survivor-facing texts in the survivor's language: a small table that says who reviewed each.

Each text is kept per language with ``reviewed``: True only when a qualified translator checked
it. Pages and reminders show an unreviewed text together with a note in English, so staff know
to have an interpreter read it with the person. A language missing a text falls back to English.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Text:
    text: str
    reviewed: bool


TEXTS: dict[str, dict[str, Text]] = {
    "plan.title": {
        "en": Text("My healing plan", True),
        "es": Text("Mi plan de sanación", False),
        "zh": Text("我的康复计划", False),
        "ko": Text("나의 회복 계획", False),
        "bn": Text("আমার নিরাময় পরিকল্পনা", False),
        "ru": Text("Мой план восстановления", False),
    },
    "plan.intro": {
        "en": Text("These are the goals you chose, in your words, and the next steps. "
                   "You can change them at any time.", True),
        "es": Text("Estas son las metas que usted eligió, con sus palabras, y los próximos "
                   "pasos. Puede cambiarlas en cualquier momento.", False),
    },
    "plan.goal": {"en": Text("Goal", True), "es": Text("Meta", False)},
    "plan.step": {"en": Text("Next step", True), "es": Text("Próximo paso", False)},
    "plan.who": {"en": Text("Who", True), "es": Text("Quién", False)},
    "plan.by": {"en": Text("By", True), "es": Text("Para el", False)},
    "shared.title": {
        "en": Text("What was shared about you, and with whom", True),
        "es": Text("Qué se compartió sobre usted y con quién", False),
    },
    "reminder.booking": {
        "en": Text("Reminder: your appointment ({service}) is on {when} at the District "
                   "Attorney's office, {room}.", True),
        "es": Text("Recordatorio: su cita ({service}) es el {when} en la oficina del Fiscal "
                   "de Distrito, {room}.", False),
        "zh": Text("提醒: 您的预约 ({service}) 在 {when}, 地点: 地区检察官办公室 {room}。", False),
    },
}


def text(key: str, language: str) -> Text:
    """The text in ``language``, or the English one when there is none."""
    by_lang = TEXTS[key]
    return by_lang.get(language) or by_lang["en"]


def all_reviewed(keys: list[str], language: str) -> bool:
    return all(key in TEXTS and language in TEXTS[key] and TEXTS[key][language].reviewed
               for key in keys)
