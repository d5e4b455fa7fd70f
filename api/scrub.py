"""Taking personal data out of text that is published beyond the API's callers: the "you said, we did" page and the
engagement calendar, both read on intranets by people with no account; and out of staff's free text when a person's
data is erased (scrub_rows), by the same rules as the calendar (remove_people), so there is one way."""

import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, false, or_, select
from sqlalchemy import update as sql_update
from sqlalchemy.ext.asyncio import AsyncSession

from api import legal_hold
from api.crud import like_pattern, text_match

REMOVED = "[removed]"
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"(?<!\w)\+?\d[\d\s().-]{7,}\d(?!\w)")
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)
# A word of a name: letters, joined by hyphens or apostrophes ("Smith-Jones", "O'Neill"); each part of one, and each
# word, counts when it has two letters or more ("Li", "Ng" are surnames), never an initial, which would take every "a"
# out ("O" of "O'Neill").
_LETTER = r"[^\W\d_]"
_NAME_WORD = re.compile(rf"{_LETTER}+(?:['-]{_LETTER}+)*")
_NAME_PART = re.compile(rf"{_LETTER}{{2,}}")
_CURLY = str.maketrans({"\u2019": "'"})  # a name typed "O’Neill" is "O'Neill"
_GAP = r"[\s().-]*"  # what may sit between a phone number's digits
_ADDRESS_LINES = re.compile(r"[\n,]")  # an address is written over lines, or on one line with commas
# The words that end a street's name, for an address typed on one line without commas ("12 Elm Road Bridport")
_STREET_ENDS = frozenset("road rd street st lane ln avenue ave close drive dr way place crescent court gardens grove "
                         "hill terrace row walk square mews park rise view green parade".split())
_HOUSE_NUMBER = re.compile(r"\d+[^\W\d_]?")  # "12", "12a"
_UNTOUCHED = r"(?<![^\W_]){}(?![^\W_])"  # no letter or digit touches it: "12 Elm Road" is not in "112 Elm Road"


@dataclass(frozen=True)
class Contacts:
    """How a person is reached, as their stakeholder record holds it: what remove_people takes out beside the words
    of their name."""

    email: str | None = None
    phone: str | None = None
    address: str | None = None
    postcode: str | None = None


def scrub(text: str, names: Iterable[str]) -> str:
    """Take out whatever looks like contact details, and the words of the given names (what a member of the public
    wrote: any email, phone or postcode in it is someone's)."""
    text = _EMAIL.sub(REMOVED, text)
    text = _PHONE.sub(REMOVED, text)
    text = _POSTCODE.sub(REMOVED, text)
    return remove_names(text, names)


def remove_people(text: str, *, names: Iterable[str], contacts: Iterable[Contacts],
                  about_them: bool = True) -> str:
    """Take out these people's emails, phone numbers (however spaced), postcodes (however spaced, "DT6 3AJ",
    "dt63aj"; one written in the address too), the lines of their postal addresses that are theirs, and the words of
    their names, in any case, and nothing else: in what staff wrote for publication, a venue's address or the team's
    own email is meant to be there.

    An address is read line by line (written over lines, or on one line with commas), its postcode aside, and each
    line taken out wherever no letter or digit touches it, whatever the spaces or commas between its words:
    - a line of words alone (a town, a county, a street without its number: "Bridport", "Station Road") never goes,
      in any text: others name them for themselves ("Bridport library", "Station Road car park");
    - a line holding a digit goes when it has two words of letters or more too ("12 Elm Road", "Flat 3 Rose Court");
      a shorter one ("12", "Flat 1", "Unit 4") goes only joined with the lines after it, up to two such words ("12,
      Elm Road", "Flat 1, 12 Elm Road"): alone it would take every "Flat 1" or "12" out;
    - an address typed on one line without commas ("12 Elm Road Bridport") also has its house number and the words
      after it, up to a street's last word ("Road", "Street", "Lane"...) or three words, as a line ("12 Elm Road");
    - with `about_them`, for text about these people (the activities they attended or gave feedback on), the
      first line of an address of three lines or more, when it holds no digit, goes too: a house's name ("Rose
      Cottage" of "Rose Cottage, Elm Lane, Bridport"); elsewhere it may name something else.
    The postcode goes from any text."""
    contacts = list(contacts)
    for email in {c.email for c in contacts if c.email}:
        text = re.sub(re.escape(email), REMOVED, text, flags=re.IGNORECASE)
    for phone in {c.phone for c in contacts if c.phone}:
        if pattern := _phone_pattern(phone):
            text = re.sub(pattern, REMOVED, text)
    lines = {tuple(words) for c in contacts for words in _address_lines(c.address, whole=about_them)}
    # The longest first: "Flat 1, 12 Elm Road" goes as one "[removed]" before its line "12 Elm Road" would
    patterns = [r"[\s,]+".join(map(re.escape, words)) for words in sorted(lines, key=lambda w: len(" ".join(w)),
                                                                          reverse=True)]
    patterns += [rf"{re.escape(outward)}\s*{re.escape(inward)}" for outward, inward in _postcodes(contacts)]
    for pattern in patterns:
        text = re.sub(_UNTOUCHED.format(pattern), REMOVED, text, flags=re.IGNORECASE)
    return remove_names(text, names)


def _address_lines(address: str | None, *, whole: bool) -> list[list[str]]:
    """The words of each line, or run of lines, of an address that remove_people takes out (its docstring says
    which)."""
    # Its postcode aside (taken out on its own): "Bridport DT6 3AJ" is a town's line, "12 Elm Road DT6 3AJ" a house's
    lines = [line.split() for line in _ADDRESS_LINES.split(_POSTCODE.sub(" ", address or "")) if line.strip()]
    found = []
    for i, words in enumerate(lines):
        if not _has_digit(words):
            if whole and i == 0 and len(lines) >= 3:
                found.append(words)  # a house's name, on the person's own records only
            continue
        run = list(words)
        for following in lines[i + 1:]:  # "Flat 1" or "12" alone would be anyone's: with what follows it is theirs
            if _letter_words(run) >= 2:
                break
            run += following
        if _letter_words(run) >= 2:
            found.append(run)
    if len(lines) == 1 and (street := _leading_street(lines[0])):
        found.append(street)
    return found


def _has_digit(words: list[str]) -> bool:
    return any(c.isdigit() for word in words for c in word)


def _letter_words(words: list[str]) -> int:
    """How many of the words are of letters alone, two or more ("Elm", "Rd."; not "12a" nor "A")."""
    return sum(1 for word in words if not _has_digit([word]) and _NAME_PART.search(word))


def _leading_street(words: list[str]) -> list[str] | None:
    """Of an address typed on one line without commas ("12 Elm Road Bridport"), its house number and the words after
    it up to a street's last word or three words ("12 Elm Road"), when that is not the whole line already."""
    if not _HOUSE_NUMBER.fullmatch(words[0]):
        return None
    street = words[:1]
    for word in words[1:4]:
        street.append(word)
        if word.lower().rstrip(".") in _STREET_ENDS:
            break
    return street if len(street) < len(words) and _letter_words(street) >= 2 else None


def _postcodes(contacts: Iterable[Contacts]) -> set[tuple[str, str]]:
    """Each postcode's outward and inward codes ("DT6", "3AJ"): the postcode field's, and any the address holds."""
    found = set()
    for c in contacts:
        for postcode in [c.postcode or "", *_POSTCODE.findall(c.address or "")]:
            compact = re.sub(r"\s", "", postcode).upper()
            if len(compact) >= 5:  # a whole UK postcode: its inward code is its last three characters
                found.add((compact[:-3], compact[-3:]))
    return found


def _phone_digits(phone: str) -> tuple[str, bool] | None:
    """The digits every way of writing the number holds, in order, and whether they are a UK number's national
    digits (its country code or leading 0 may be written any way); None for too short a number to take out."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) < 6:
        return None
    national = next((digits[len(p):] for p in ("0044", "44", "0") if digits.startswith(p)), None)
    return (digits, False) if national is None else (national, True)


def _phone_pattern(phone: str) -> str | None:
    """The digits in order, whatever spaces, dots, dashes or brackets sit between them; a UK number however its
    country code is written (07700 900123, +44 7700 900123, +44 (0)7700 900123, 0044 7700 900123)."""
    if (found := _phone_digits(phone)) is None:
        return None
    digits, uk = found
    if not uk:
        return r"(?<!\d)" + _GAP.join(digits) + r"(?!\d)"
    prefix = rf"(?:(?:(?:\+|00){_GAP})?44{_GAP}(?:\(0\){_GAP})?|0)"
    return rf"(?<![\d+]){prefix}{_GAP}" + _GAP.join(digits) + r"(?!\d)"


def remove_names(text: str, names: Iterable[str]) -> str:
    """Take out each word of the names and each part of a hyphenated or apostrophised one ("Mrs Jones" of "Mary
    Smith-Jones"), in any case, wherever no letter touches it: a tag "margaret_okafor" or "okafor2" names her too.
    An apostrophe is either ' or ’."""
    words = {w for name in names for w in _name_words(name.translate(_CURLY))}
    for word in sorted(words, key=len, reverse=True):
        pattern = re.escape(word).replace("'", "['\u2019]")
        text = re.sub(rf"(?<!{_LETTER}){pattern}(?!{_LETTER})", REMOVED, text, flags=re.IGNORECASE)
    return text


def _name_words(name: str) -> set[str]:
    words: set[str] = set()
    for word in _NAME_WORD.findall(name):
        parts = _NAME_PART.findall(word)
        words.update(parts)
        if parts and word not in parts:
            words.add(word)  # longer, so taken out first: "Smith-Jones" goes as one "[removed]"
    return words


async def scrub_rows(session: AsyncSession, model: Any, *, tenant_id: uuid.UUID, actor_id: uuid.UUID | None,
                     texts: tuple[Any, ...], theirs: ColumnElement[bool], others: ColumnElement[bool], name: str,
                     contacts: Contacts, now: datetime, extra: tuple[Any, ...] = ()) -> list[Row]:
    """An erasure's pass over one kind of record's free texts, where staff write about the people a record involves
    ("Home visit to Ann, 12 Elm Road, 07700 900123"): the rows where `theirs` holds lose the person's name, email,
    phone, postcode and address lines, their house's name too, as the calendar feed takes them out (remove_people
    with whole addresses); the other rows `others` allows lose their email, phone, postcode and the lines of their
    address that are nobody else's (a line with a number and two words, "12 Elm Road"), which are theirs wherever they
    are written, but not the words of their name nor a house's name, which there may well be someone else's. No row
    loses a town or a street written alone. A changed row gets a new version; the changed rows are returned (id,
    `extra`)."""
    # Candidates only: remove_people decides what is really theirs. A phone may be written with anything between its
    # digits ("01308 4221 00"), so a row is a candidate when its text holds the number's digits in order, with
    # anything between them (LIKE '%1%3%0%8%…'; a UK number's national digits): every form remove_people takes out
    # does, however spaced. A LIKE on a few of its digits together missed the forms that split them. Likewise a
    # postcode's two halves in order ("DT6 3AJ", "dt63aj") and the words, in order, of each address line others lose
    # (the rows `theirs` holds, which alone lose a house's name, are all candidates).
    mentions = [text_match(like_pattern(contacts.email), *texts)] if contacts.email else []
    if contacts.phone and (number := _phone_digits(contacts.phone)):
        mentions.append(text_match("%" + "%".join(number[0]) + "%", *texts))
    for words in [*_postcodes([contacts]), *_address_lines(contacts.address, whole=False)]:
        mentions.append(text_match("%" + "%".join(like_pattern(word)[1:-1] for word in words) + "%", *texts))
    wanted = or_(theirs, and_(or_(*mentions), others)) if mentions else theirs
    changed_rows = []
    # Locked as read (PostgreSQL): an edit committing meanwhile is waited for and read, not overwritten by a scrubbed
    # copy of the text as it was before it
    for found in (await session.execute(select(model.id, theirs.label("theirs"), *extra, *texts).where(
            model.tenant_id == tenant_id, wanted).with_for_update(of=model))).all():
        names = [name] if found.theirs else []
        scrubbed = {column.key: remove_people(value, names=names, contacts=[contacts], about_them=found.theirs)
                    for column in texts if (value := getattr(found, column.key)) is not None}
        changed = {key: value for key, value in scrubbed.items() if value != getattr(found, key)}
        if changed:
            await session.execute(sql_update(model).where(model.id == found.id).values(
                **changed, version=model.version + 1, updated_at=now, updated_by=actor_id)
                .execution_options(synchronize_session=False))
            changed_rows.append(found)
    return changed_rows


@dataclass(frozen=True)
class Linked:
    """A kind of record that links people (an activity, an evidence item, an action), as scrub_linked scrubs it: the
    rows `theirs` holds are about the person, `others` the other rows it may change (scrub_rows's rules); `location`
    is a changed row's Location, read from its id and `extra` columns."""

    model: Any
    texts: tuple[Any, ...]
    theirs: ColumnElement[bool]
    others: ColumnElement[bool]
    location: Callable[[Row], str]
    extra: tuple[Any, ...] = ()


async def scrub_linked(session: AsyncSession, kinds: Iterable[Linked], *, tenant_id: uuid.UUID,
                       actor_id: uuid.UUID | None, name: str, contacts: Contacts, now: datetime) -> list[str]:
    """An erasure's pass over the records that link people, each kind by scrub_rows. Returns the Locations of the
    rows it changed: the stored responses that created them held the same words, which the caller forgets
    (api.idempotency, which imports this module)."""
    changed = []
    for kind in kinds:
        changed += [kind.location(found) for found in await scrub_rows(
            session, kind.model, tenant_id=tenant_id, actor_id=actor_id, texts=kind.texts, theirs=kind.theirs,
            others=kind.others, name=name, contacts=contacts, now=now, extra=kind.extra)]
    return changed


async def scrub_unlinked(session: AsyncSession, model: Any, texts: tuple[Any, ...], *, tenant_id: uuid.UUID,
                         actor_id: uuid.UUID | None, now: datetime, contacts: Contacts,
                         lifted: uuid.UUID | None = None) -> int:
    """An erasure's pass over a plan's records that link no person (its risks, consultations, scrutiny record and
    letters): every row, unless its plan is on legal hold (it keeps its words until the hold is lifted), loses the
    person's email, phone, postcode and the lines of their address that are nobody else's, which are theirs wherever
    they are written ("Objection from ann@example.org"); never the words of their name, which there may be someone
    else's. Their stored responses go with every other one holding those (idempotency.forget_mentions, which the
    erasure calls last). With `lifted`, that plan's rows alone, its hold just lifted (the erasure finishing there).
    Returns how many rows changed."""
    scope = model.plan_id == lifted if lifted is not None else model.plan_id.not_in(legal_hold.held_plans(tenant_id))
    return len(await scrub_rows(session, model, tenant_id=tenant_id, actor_id=actor_id, texts=texts, theirs=false(),
                                others=scope, name="", contacts=contacts, now=now))
