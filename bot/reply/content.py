"""The sourced answers: topic (or specific cause) -> short plain text, source keys, next steps.

An answer is chosen by (topic, subject): the topic is the question type, the subject what the
question is about (bot.model.Subject). Where the sources say something specific about a subject
the answer is the subject's own; otherwise it is the general answer plus one sentence about the
subject. The content lives in data/content.yml; it is read and checked once, on first use (nothing
runs at import time). The texts carry neither the source list nor the disclaimer: the caller
appends both from `source_keys` (see bot.reference.tables.sources()).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, NoReturn

import yaml

from bot.errors import ReferenceDataError, UnknownTopicError
from bot.model import Subject
from bot.read import matchers
from bot.reference import tables
from bot.yaml_files import DATA_DIR, read_yaml

if TYPE_CHECKING:  # spaCy is imported on first use, so `import bot` stays cheap
    from spacy.matcher import PhraseMatcher
    from spacy.tokens import Doc

__all__ = [
    "TopicAnswer",
    "button_title",
    "causes",
    "find_cause",
    "subject_answers",
    "topic_answer",
    "topics",
]

CONTENT_FILE = DATA_DIR / "content.yml"

CAUSES_TOPIC = "causes"
CAUSE_SEPARATOR = ":"  # "causes:lupus" names the entry of one cause
MIN_SENTENCES = 2
MAX_SENTENCES = 5
MIN_FOLLOW_UPS = 2
MAX_FOLLOW_UPS = 3

SUBJECT_SECTION = "by_subject"
DEFAULT_LINE = "default"  # the line of a subject for every topic without a line of its own
GENERAL_SUBJECT = Subject.LEUKOPENIA  # its answers are the topics themselves

_ENTRY_FIELDS = frozenset({"text", "sources", "follow_ups"})
_CAUSE_FIELDS = _ENTRY_FIELDS | {"synonyms"}
_LINE_FIELDS = frozenset({"text", "sources"})
_SUBJECT_FIELDS = frozenset({"answers", "lines"})
_SECTIONS = frozenset({"topics", "causes_by_cause", SUBJECT_SECTION, "button_titles"})
_SUBJECTS = tuple(subject for subject in Subject if subject is not GENERAL_SUBJECT)
# A sentence ends at ".", "!" or "?" followed by white space (so "100.4" stays whole).
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class TopicAnswer:
    """The answer to one topic or one specific cause, without sources list or disclaimer."""

    topic: str  # "causes" or "causes:lupus"
    text: str  # 2-5 sentences, no sources, no disclaimer
    source_keys: tuple[str, ...]  # keys of bot/data/sources.csv, most important first
    follow_ups: tuple[str, ...]  # topic keys for next-step buttons


@dataclass(frozen=True)
class _Line:
    """One sentence about a subject, said after a general answer."""

    text: str
    source_keys: tuple[str, ...]


@dataclass(frozen=True)
class _Content:
    topics: Mapping[str, TopicAnswer]
    causes: Mapping[str, TopicAnswer]
    synonyms: Mapping[str, tuple[str, ...]]
    button_titles: Mapping[str, str]
    by_subject: Mapping[tuple[str, Subject], TopicAnswer]  # every topic x every other subject


def topics() -> tuple[str, ...]:
    """Every topic key, in file order."""
    return tuple(_content().topics)


def causes() -> tuple[str, ...]:
    """Every specific cause key, in file order."""
    return tuple(_content().causes)


def topic_answer(
    topic: str, cause: str | None = None, subject: Subject | str | None = None
) -> TopicAnswer:
    """The answer to a topic about a subject, or to one specific cause when `cause` is given.

    A cause wins over the subject. No subject (or leukopenia) gives the general answer; another
    subject gives its own answer to the topic, or the general answer plus one sentence about it.
    `topic` may also name a cause directly as "causes:<cause>" (the `topic` of a cause's answer).
    Raises UnknownTopicError for a topic, cause or subject that the content does not have.
    """
    content = _content()
    name = topic.strip().lower()
    if cause is None and name.startswith(CAUSES_TOPIC + CAUSE_SEPARATOR):
        name, cause = CAUSES_TOPIC, name.partition(CAUSE_SEPARATOR)[2]
    if name not in content.topics:
        raise UnknownTopicError(topic, "topic", tuple(content.topics))
    if cause is None:
        chosen = _subject(subject)
        if chosen is GENERAL_SUBJECT:
            return content.topics[name]
        return content.by_subject[(name, chosen)]
    key = cause.strip().lower()
    if key not in content.causes:
        raise UnknownTopicError(cause, "cause", tuple(content.causes))
    return content.causes[key]


def subject_answers() -> dict[tuple[str, Subject], TopicAnswer]:
    """The answer to every (topic, subject), leukopenia included: every text a topic can send."""
    content = _content()
    general = {(topic, GENERAL_SUBJECT): answer for topic, answer in content.topics.items()}
    return general | dict(content.by_subject)


def _subject(subject: Subject | str | None) -> Subject:
    """A Subject from an enum member, its value in any case, or None (the general subject)."""
    if subject is None:
        return GENERAL_SUBJECT
    if isinstance(subject, Subject):
        return subject
    try:
        return Subject(str(subject).strip().lower())
    except ValueError:
        raise UnknownTopicError(
            str(subject), "subject", tuple(member.value for member in Subject)
        ) from None


def find_cause(text: str | Doc) -> str | None:
    """The canonical key of the first cause a message names ("on bactrim" -> "antibiotics").

    `text` is the message's text or, better, its tokens as the parser cut them. Overlapping
    matches are reduced to the longest ("cancer treatment" over "cancer").
    """
    tokens = matchers.make_doc(text) if isinstance(text, str) else text
    spans = matchers.matched_spans(_cause_matcher(), tokens)
    return spans[0].label_ if spans else None


def button_title(topic: str) -> str:
    """The short title of a next-step button that leads to a topic."""
    titles = _content().button_titles
    try:
        return titles[topic]
    except KeyError:
        raise UnknownTopicError(topic, "topic", tuple(titles)) from None


@cache
def _cause_matcher() -> PhraseMatcher:
    """Synonyms of every cause, matched on lower-cased tokens; the match label is the cause key."""
    from spacy.matcher import PhraseMatcher

    language = matchers.nlp()
    matcher = PhraseMatcher(language.vocab, attr="LOWER")
    for key, phrases in _content().synonyms.items():
        matcher.add(key, [language.make_doc(phrase) for phrase in phrases])
    return matcher


def _sentences(text: str) -> list[str]:
    return [part for part in _SENTENCE_END.split(text.strip()) if part]


@cache
def _content() -> _Content:
    try:
        raw = read_yaml(CONTENT_FILE)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ReferenceDataError(str(CONTENT_FILE), f"cannot be read: {exc}") from exc
    sources = tables.sources()
    citable = frozenset(key for key, source in sources.items() if source.short and source.link)
    reader = _Reader(raw, frozenset(sources), citable)
    return reader.content()


def _with_line(general: TopicAnswer, line: _Line, citable: frozenset[str]) -> TopicAnswer:
    """Return the general answer with a subject's line added.

    The line's first source goes right after the general answer's first linkable source, so that
    both are among the two links shown.
    """
    keys = list(general.source_keys)
    first = next((i for i, key in enumerate(keys) if key in citable), len(keys) - 1)
    keys[first + 1 : first + 1] = line.source_keys[:1]
    keys += line.source_keys[1:]
    text = f"{general.text} {line.text}"
    return TopicAnswer(general.topic, text, tuple(dict.fromkeys(keys)), general.follow_ups)


class _Reader:
    """Reads and checks the parsed content.yml; every problem is a ReferenceDataError."""

    def __init__(
        self, raw: Any, known_sources: frozenset[str], citable_sources: frozenset[str]
    ) -> None:
        self.raw = self._mapping(raw, "the file", _SECTIONS)
        self.known_sources = known_sources
        self.citable_sources = citable_sources  # sources with a name and a link
        self.topic_keys = tuple(self._mapping(self.raw["topics"], "topics"))

    def content(self) -> _Content:
        topic_answers = {
            key: self._answer(key, key, entry, _ENTRY_FIELDS)
            for key, entry in self._mapping(self.raw["topics"], "topics").items()
        }
        cause_answers: dict[str, TopicAnswer] = {}
        synonyms: dict[str, tuple[str, ...]] = {}
        owner: dict[str, str] = {}
        for key, entry in self._mapping(self.raw["causes_by_cause"], "causes_by_cause").items():
            where = f"causes_by_cause.{key}"
            cause_answers[key] = self._answer(
                f"{CAUSES_TOPIC}{CAUSE_SEPARATOR}{key}", where, entry, _CAUSE_FIELDS
            )
            synonyms[key] = self._strings(entry["synonyms"], f"{where}.synonyms")
            for phrase in synonyms[key]:
                normal = " ".join(phrase.lower().split())
                if normal in owner and owner[normal] != key:
                    self._fail(f"synonym {phrase!r} belongs to both {owner[normal]} and {key}")
                owner[normal] = key
        if CAUSES_TOPIC not in topic_answers:
            self._fail(f"the topic {CAUSES_TOPIC!r} is missing")
        titles = self._mapping(self.raw["button_titles"], "button_titles")
        if set(titles) != set(self.topic_keys):
            missing = sorted(set(self.topic_keys) - set(titles))
            extra = sorted(set(titles) - set(self.topic_keys))
            self._fail(f"button_titles: missing {missing}, not topics {extra}")
        button_titles = {
            key: self._text(title, f"button_titles.{key}") for key, title in titles.items()
        }
        by_subject = self._subject_answers(topic_answers)
        return _Content(topic_answers, cause_answers, synonyms, button_titles, by_subject)

    def _subject_answers(
        self, topic_answers: Mapping[str, TopicAnswer]
    ) -> dict[tuple[str, Subject], TopicAnswer]:
        """Return the answer for every (topic, subject) but the general subject.

        That is the subject's own answer, the general answer plus the subject's line, or (for the
        topic named like the subject) the topic.
        """
        section = self._mapping(self.raw[SUBJECT_SECTION], SUBJECT_SECTION)
        expected = {subject.value for subject in _SUBJECTS}
        if set(section) != expected:
            missing = sorted(expected - set(section))
            extra = sorted(set(section) - expected)
            self._fail(f"{SUBJECT_SECTION}: missing subjects {missing}, not subjects {extra}")
        found: dict[tuple[str, Subject], TopicAnswer] = {}
        for subject in _SUBJECTS:
            where = f"{SUBJECT_SECTION}.{subject.value}"
            entry = self._mapping(section[subject.value], where)
            if not set(entry) <= _SUBJECT_FIELDS:
                self._fail(f"{where} may only have {sorted(_SUBJECT_FIELDS)}, not {sorted(entry)}")
            answers = self._optional(entry, "answers", where)
            lines = self._optional(entry, "lines", where)
            for topic in [*answers, *lines]:
                if topic == subject.value:
                    self._fail(f"{where}: the topic {topic!r} is this subject: it stays as it is")
                if topic not in topic_answers and topic != DEFAULT_LINE:
                    self._fail(f"{where}: {topic!r} is not a topic")
            if DEFAULT_LINE in answers:
                self._fail(f"{where}.answers: {DEFAULT_LINE!r} is not a topic")
            both = sorted(set(answers) & set(lines))
            if both:
                self._fail(f"{where}: {both} have both an answer and a line")
            read_lines = {
                key: self._line(f"{where}.lines.{key}", line) for key, line in lines.items()
            }
            for topic, general in topic_answers.items():
                if topic == subject.value:
                    found[(topic, subject)] = general
                elif topic in answers:
                    found[(topic, subject)] = self._answer(
                        topic, f"{where}.answers.{topic}", answers[topic], _ENTRY_FIELDS
                    )
                else:
                    line = read_lines.get(topic, read_lines.get(DEFAULT_LINE))
                    if line is None:
                        self._fail(f"{where}: no answer, line or {DEFAULT_LINE} line for {topic!r}")
                    found[(topic, subject)] = _with_line(general, line, self.citable_sources)
        return found

    def _optional(self, entry: dict[str, Any], field: str, where: str) -> dict[str, Any]:
        """A mapping field that may be left out (an empty mapping then)."""
        return self._mapping(entry[field], f"{where}.{field}") if field in entry else {}

    def _line(self, where: str, entry: Any) -> _Line:
        entry = self._mapping(entry, where, _LINE_FIELDS)
        text = " ".join(self._text(entry["text"], f"{where}.text").split())
        count = len(_sentences(text))
        if count != 1:
            self._fail(f"{where}.text has {count} sentences, not exactly 1")
        if text[-1] not in ".!?":
            self._fail(f"{where}.text does not end a sentence")
        source_keys = self._sources(entry["sources"], f"{where}.sources")
        if source_keys[0] not in self.citable_sources:
            self._fail(f"{where}.sources: the first, {source_keys[0]!r}, has no name and link")
        return _Line(text, source_keys)

    def _sources(self, value: Any, where: str) -> tuple[str, ...]:
        source_keys = self._strings(value, where)
        unknown = [key for key in source_keys if key not in self.known_sources]
        if unknown:
            self._fail(f"{where}: {unknown} are not in sources.csv")
        return source_keys

    def _answer(self, topic: str, where: str, entry: Any, fields: frozenset[str]) -> TopicAnswer:
        entry = self._mapping(entry, where, fields)
        text = " ".join(self._text(entry["text"], f"{where}.text").split())
        count = len(_sentences(text))
        if not MIN_SENTENCES <= count <= MAX_SENTENCES:
            self._fail(f"{where}.text has {count} sentences, not {MIN_SENTENCES}-{MAX_SENTENCES}")
        if text[-1] not in ".!?":
            self._fail(f"{where}.text does not end a sentence")
        source_keys = self._sources(entry["sources"], f"{where}.sources")
        follow_ups = self._strings(entry["follow_ups"], f"{where}.follow_ups")
        if not MIN_FOLLOW_UPS <= len(follow_ups) <= MAX_FOLLOW_UPS:
            self._fail(
                f"{where}.follow_ups: {len(follow_ups)} topics, "
                f"not {MIN_FOLLOW_UPS}-{MAX_FOLLOW_UPS}"
            )
        for follow_up in follow_ups:
            if follow_up not in self.topic_keys:
                self._fail(f"{where}.follow_ups: {follow_up!r} is not a topic")
            if follow_up == topic:
                self._fail(f"{where}.follow_ups: a topic cannot lead to itself")
        return TopicAnswer(topic, text, source_keys, follow_ups)

    def _mapping(
        self, value: Any, where: str, fields: frozenset[str] | None = None
    ) -> dict[str, Any]:
        if not isinstance(value, dict) or not value:
            self._fail(f"{where} must be a non-empty mapping")
        if fields is not None and set(value) != fields:
            self._fail(
                f"{where} must have exactly the fields {sorted(fields)}, not {sorted(value)}"
            )
        for key in value:
            if not isinstance(key, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", key):
                self._fail(f"{where}: {key!r} is not a snake_case key")
        return value

    def _strings(self, value: Any, where: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not value:
            self._fail(f"{where} must be a non-empty list")
        items = tuple(self._text(item, where) for item in value)
        if len(set(items)) != len(items):
            self._fail(f"{where} lists an item twice")
        return items

    def _text(self, value: Any, where: str) -> str:
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            self._fail(f"{where}: {value!r} is not text")
        text = str(value).strip()
        if not text:
            self._fail(f"{where} is empty")
        return text

    def _fail(self, problem: str) -> NoReturn:
        raise ReferenceDataError(str(CONTENT_FILE), problem)
