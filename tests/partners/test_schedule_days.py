"""Opening days read as words in the directory (HSDS keeps RFC 5545 day codes)."""

from __future__ import annotations

import pytest

from survivors_justice.partners.models import Schedule


@pytest.mark.parametrize(
    ("byday", "words"),
    [
        ("MO,TU,WE,TH,FR", "Monday to Friday"),
        ("FR,TH,WE", "Wednesday to Friday"),  # any order
        ("mo, tu, we", "Monday to Wednesday"),  # spacing and case as exported by others
        ("MO,WE,FR", "Monday, Wednesday and Friday"),
        ("TU,TH", "Tuesday and Thursday"),
        ("SA,SU", "Saturday and Sunday"),  # two in a row are named, not a range
        ("SU", "Sunday"),
        ("MO,TU,WE,TH,FR,SA,SU", "Monday to Sunday"),
        ("MO,MO,TU,WE", "Monday to Wednesday"),
        ("", "Days not said"),
        ("1MO,FR", "1MO,FR"),  # a code this page does not read is shown as given
    ],
)
def test_the_days_read_as_words(byday: str, words: str) -> None:
    assert Schedule(byday=byday).days == words
