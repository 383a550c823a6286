"""Sentences from the templates of data/wording.yml: urgency reasons, notes and plain words.

Each reason or note remembers its key and the keys of its sources (CitedText), so a reply can
link the sources and choose which notes to tell (docs/clinical-reference.md sections 5-7).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.errors import ReferenceDataError
from bot.model import ReferenceRange, Sex
from bot.reference.tables import (
    BASIS_LAB,
    BASIS_PEDIATRIC,
    BASIS_PREGNANCY,
    Wording,
    tables,
)
from bot.yaml_files import DATA_DIR


def reason(key: str, **fields: object) -> str:
    """An urgency reason from data/wording.yml, filled in and cited."""
    return _phrase("reasons", tables().reasons, key, fields)


def note(key: str, **fields: object) -> str:
    """A note from data/wording.yml, filled in and cited."""
    return _phrase("notes", tables().notes, key, fields)


def word(key: str, **fields: object) -> str:
    """A plain word or phrase from data/wording.yml ("slightly low (borderline)")."""
    words = tables().words
    if key not in words:
        raise ReferenceDataError(str(DATA_DIR / "wording.yml"), f"words.{key} is missing")
    return _fill("words", key, words[key], fields)


def range_words(reference: ReferenceRange) -> str:
    """How an answer names the range a count was judged against ("adult range", ...)."""
    if reference.basis == BASIS_PEDIATRIC:
        return word("range_pediatric", label=reference.label)
    if reference.basis == BASIS_PREGNANCY:
        return word("range_pregnancy")
    if reference.basis == BASIS_LAB:
        return word("range_lab")
    return word("range_adult")


def join_words(items: Sequence[str], conjunction: str = "and") -> str:
    """Join words as a list is said: "a", "a and b", "a, b and c"."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


class CitedText(str):
    """A sentence from data/wording.yml that remembers its key and the keys of its sources."""

    source_keys: tuple[str, ...] = ()
    key: str = ""

    def __new__(cls, text: str, source_keys: tuple[str, ...] = (), key: str = "") -> CitedText:
        """Make the text, with the keys of its sources and its own key in data/wording.yml."""
        cited = super().__new__(cls, text)
        cited.source_keys = source_keys
        cited.key = key
        return cited


def source_keys_of(text: str) -> tuple[str, ...]:
    """The source keys a reason or note rests on (empty for plain text)."""
    return text.source_keys if isinstance(text, CitedText) else ()


def _phrase(
    section: str, table: Mapping[str, Wording], key: str, fields: Mapping[str, object]
) -> str:
    wording = table.get(key)
    if wording is None:
        raise ReferenceDataError(str(DATA_DIR / "wording.yml"), f"{section}.{key} is missing")
    text = _fill(section, key, wording.text, {**fields, "cite": ""})  # sources go in links
    return CitedText(text[:1].upper() + text[1:], wording.sources, key)


def key_of(text: str) -> str:
    """The wording.yml key a reason or note was made from ("" for plain text)."""
    return text.key if isinstance(text, CitedText) else ""


def _fill(section: str, key: str, template: str, fields: Mapping[str, object]) -> str:
    try:
        return template.format(**fields)
    except (KeyError, IndexError, ValueError) as exc:
        path = str(DATA_DIR / "wording.yml")
        raise ReferenceDataError(path, f"{section}.{key} asks for {exc} that is not given") from exc


@dataclass(frozen=True)
class Person:
    """How a sentence names the person asked about: "you are" / "he takes"."""

    is_: str
    takes: str


_HE = frozenset(
    {"son", "husband", "dad", "father", "brother", "grandson", "grandfather", "grandpa"}
    | {"uncle", "nephew", "boyfriend", "stepson", "stepdad", "boy", "grandad", "granddad"}
    | {"his"}
)
_SHE = frozenset(
    {"daughter", "wife", "mom", "mum", "mother", "sister", "granddaughter", "grandmother"}
    | {"grandma", "aunt", "niece", "girlfriend", "stepdaughter", "stepmom", "stepmum", "girl"}
    | {"granny", "nan", "nana", "her"}
)


def person(relative: str | None, sex: Sex | None = None) -> Person:
    """Return how to speak of the person: "you" for the writer; "he", "she" or "they" for another.

    Someone else is, for example, a son, or "her count".
    """
    if relative is None:
        return Person("you are", "you take")
    if relative in _HE or (relative not in _SHE and sex is Sex.MALE):
        return Person("he is", "he takes")
    if relative in _SHE or sex is Sex.FEMALE:
        return Person("she is", "she takes")
    return Person("they are", "they take")
