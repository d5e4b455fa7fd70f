"""Taking personal data out of text that is published beyond the API's callers: the "you said, we did" page and the
engagement calendar, both read on intranets by people with no account."""

import re
from collections.abc import Iterable

REMOVED = "[removed]"
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"(?<!\w)\+?\d[\d\s().-]{7,}\d(?!\w)")
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)
# A word of a name: two letters or more ("Li", "Ng" are surnames), never an initial, which would take every "a" out.
_NAME_WORD = re.compile(r"[^\W\d_][\w'-]+")
_GAP = r"[\s().-]*"  # what may sit between a phone number's digits


def scrub(text: str, names: Iterable[str]) -> str:
    """Take out whatever looks like contact details, and the words of the given names (what a member of the public
    wrote: any email, phone or postcode in it is someone's)."""
    text = _EMAIL.sub(REMOVED, text)
    text = _PHONE.sub(REMOVED, text)
    text = _POSTCODE.sub(REMOVED, text)
    return remove_names(text, names)


def remove_people(text: str, *, names: Iterable[str], emails: Iterable[str], phones: Iterable[str]) -> str:
    """Take out these people's emails, phone numbers (however spaced) and the words of their names, and nothing
    else: in what staff wrote for publication, a venue's address or the team's own email is meant to be there."""
    for email in {e for e in emails if e}:
        text = re.sub(re.escape(email), REMOVED, text, flags=re.IGNORECASE)
    for phone in {p for p in phones if p}:
        if pattern := _phone_pattern(phone):
            text = re.sub(pattern, REMOVED, text)
    return remove_names(text, names)


def _phone_pattern(phone: str) -> str | None:
    """The digits in order, whatever spaces, dots, dashes or brackets sit between them; a UK number however its
    country code is written (07700 900123, +44 7700 900123, +44 (0)7700 900123, 0044 7700 900123)."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) < 6:
        return None
    national = next((digits[len(p):] for p in ("0044", "44", "0") if digits.startswith(p)), None)
    if national is None:
        return r"(?<!\d)" + _GAP.join(digits) + r"(?!\d)"
    prefix = rf"(?:(?:(?:\+|00){_GAP})?44{_GAP}(?:\(0\){_GAP})?|0)"
    return rf"(?<![\d+]){prefix}{_GAP}" + _GAP.join(national) + r"(?!\d)"


def remove_names(text: str, names: Iterable[str]) -> str:
    words = {w for name in names for w in _NAME_WORD.findall(name)}
    for word in sorted(words, key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", REMOVED, text, flags=re.IGNORECASE)
    return text
