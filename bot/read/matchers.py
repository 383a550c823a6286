"""The spaCy side of reading: a blank English tokenizer and the phrase matchers.

The tokenizer has extra split rules; the matchers are built from the vocabulary in
data/vocabulary.yml and data/red_flags.yml.

Everything is built once, on first use (nothing runs at import time), and shared by the readers
of values (values.py) and symptoms (clinical_context.py).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from bot.errors import ReferenceDataError
from bot.model import ParsedText
from bot.yaml_files import DATA_DIR, read_yaml

if TYPE_CHECKING:  # spaCy is imported on first use, so `import bot` stays cheap
    from spacy.language import Language
    from spacy.matcher import PhraseMatcher
    from spacy.tokens import Doc, Span

VOCABULARY_FILE = DATA_DIR / "vocabulary.yml"
RED_FLAGS_FILE = DATA_DIR / "red_flags.yml"

# Extra token boundaries, so that "WBC:3.2", "101F", "3.2k" and "x10^9/L" split into words and
# numbers the matchers can see ("101F" -> "101", "F").
_EXTRA_INFIXES = (
    r"[:=|/\\;]",
    r"(?<=[0-9])(?=[A-Za-zµμ°º×])",
    r"(?<=[A-Za-zµμ°º×])(?=[0-9])",
    r"(?<=[0-9])[-–](?=[A-Za-z])",
    r"(?<=[A-Za-z])[-–](?=[0-9])",
)


@dataclass(frozen=True)
class RedFlagSpec:
    """One red flag of data/red_flags.yml."""

    name: str
    kind: str
    source: str
    not_followed_by: frozenset[str]
    requires_any: tuple[str, ...]
    puzzled_sense: bool = False  # "I'm confused, what does 3.2 mean?" is not the sign
    with_fever: bool = False  # counts only with a fever (or one of requires_any): a stiff neck
    requires_child: bool = False  # said of a baby or young child: "won't feed"
    patterns: tuple[str, ...] = ()  # regular expressions for what phrases cannot list
    says: str = ""  # how a reply names the sign ("a stiff neck"); empty: the words typed


def skip_unused_ml_backends() -> None:
    """Keep thinc (under spaCy) from importing TensorFlow and PyTorch; call before importing spaCy.

    thinc probes for them at import, which costs seconds and hundreds of MB that a process which
    only tokenizes never needs.
    """
    for backend in ("tensorflow", "torch", "cupy", "mxnet"):
        sys.modules.setdefault(backend, None)  # type: ignore[arg-type]


@cache
def nlp() -> Language:
    """A blank English pipeline (tokenizer only) with the extra split rules."""
    import spacy
    from spacy.tokenizer import Tokenizer
    from spacy.util import compile_infix_regex

    language = spacy.blank("en")
    tokenizer = language.tokenizer
    assert isinstance(tokenizer, Tokenizer)  # a blank pipeline always has spaCy's own tokenizer
    infixes = list(language.Defaults.infixes or []) + list(_EXTRA_INFIXES)
    tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    return language


def make_doc(text: str) -> Doc:
    """Tokenize a message, cutting it where its lower-case form is cut (no statistical components).

    spaCy's special cases are written in lower and title case: "wont" is "wo" + "nt" but
    "WONT" stays one token, so "SHE WONT WAKE UP" would miss the phrase "wont wake up". The
    tokens keep the text as typed; only where they are cut comes from the lower-case form.
    """
    from spacy.tokens import Doc  # imported on first use, as everything of spaCy's here

    language = nlp()
    lowered = text.lower()
    if lowered == text or len(lowered) != len(text):  # "İ" lowers to two characters
        return language.make_doc(text)
    cut = language.make_doc(lowered)
    words = [text[token.idx : token.idx + len(token)] for token in cut]
    return Doc(language.vocab, words=words, spaces=[bool(token.whitespace_) for token in cut])


def tokens_of(parsed: ParsedText) -> Doc:
    """Return the tokens the parser cut a message into (cut now for a reading without them)."""
    return parsed.tokens if parsed.tokens is not None else make_doc(parsed.text)


@cache
def vocabulary() -> Mapping[str, Any]:
    """The parsed data/vocabulary.yml."""
    parsed: Mapping[str, Any] = _load_yaml(VOCABULARY_FILE)  # YAML is untyped: a mapping here
    return parsed


@cache
def red_flag_specs() -> tuple[RedFlagSpec, ...]:
    """The red flags of data/red_flags.yml, in file order."""
    rows = _load_yaml(RED_FLAGS_FILE)
    if not isinstance(rows, list) or not rows:
        raise ReferenceDataError(str(RED_FLAGS_FILE), "expected a list of red flags")
    specs = []
    for row in rows:
        try:
            specs.append(
                RedFlagSpec(
                    name=str(row["name"]),
                    kind=str(row["kind"]),
                    source=str(row["source"]),
                    not_followed_by=frozenset(str(w) for w in row.get("not_followed_by", [])),
                    requires_any=tuple(str(p) for p in row.get("requires_any", [])),
                    puzzled_sense=bool(row.get("puzzled_sense", False)),
                    with_fever=bool(row.get("with_fever", False)),
                    requires_child=bool(row.get("requires_child", False)),
                    patterns=tuple(str(p) for p in row.get("patterns", [])),
                    says=str(row.get("says", "")),
                )
            )
            if not row["phrases"]:
                raise ValueError("no phrases")
        except (KeyError, TypeError, ValueError) as exc:
            raise ReferenceDataError(str(RED_FLAGS_FILE), f"bad row {row!r}: {exc}") from exc
    return tuple(specs)


@cache
def red_flag_other_senses() -> dict[str, list[str]]:
    """Per red flag, the phrases in which its word means something else ("fever pitch")."""
    rows = _load_yaml(RED_FLAGS_FILE)
    return {
        row["name"]: [str(p) for p in row["other_senses"]]
        for row in rows
        if row.get("other_senses")
    }


@cache
def red_flag_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """(flag name, compiled pattern) for the flags that give regular expressions."""
    return tuple(
        (spec.name, re.compile(pattern, re.IGNORECASE))
        for spec in red_flag_specs()
        for pattern in spec.patterns
    )


def red_flag_pattern_spans(doc: Doc) -> list[Span]:
    """Return spans of the flags' regular expressions, labelled with the flag's name.

    The input is bounded: each pattern is linear, with limited gaps.
    """
    spans = []
    for name, pattern in red_flag_patterns():
        for match in pattern.finditer(doc.text):
            span = doc.char_span(match.start(), match.end(), label=name, alignment_mode="expand")
            if span is not None:
                spans.append(span)
    return spans


@cache
def _immune_lowering_patterns() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.IGNORECASE) for p in vocabulary()["immune_lowering_patterns"])


def immune_lowering_pattern_spans(doc: Doc) -> list[Span]:
    """Return spans of doses the phrase lists cannot name ("40mg of prednisolone").

    They are labelled immune_lowering.
    """
    spans = []
    for pattern in _immune_lowering_patterns():
        for match in pattern.finditer(doc.text):
            span = doc.char_span(
                match.start(), match.end(), label="immune_lowering", alignment_mode="expand"
            )
            if span is not None:
                spans.append(span)
    return spans


def red_flag_phrases(kinds: Sequence[str]) -> tuple[str, ...]:
    """The phrases of the red flags of these kinds, as written in data/red_flags.yml."""
    rows = _load_yaml(RED_FLAGS_FILE)
    return tuple(str(p) for row in rows if row["kind"] in kinds for p in row["phrases"])


@cache
def label_matcher() -> PhraseMatcher:
    """Names of counts: keys wbc, anc, neutrophils, bands, other, generic."""
    return phrase_matcher(vocabulary()["labels"])


@cache
def red_flag_matcher() -> PhraseMatcher:
    """Red-flag phrases (key: the flag's name) and the extra words some flags require."""
    rows = _load_yaml(RED_FLAGS_FILE)
    groups: dict[str, list[str]] = {}
    for row in rows:
        groups[row["name"]] = [str(p) for p in row["phrases"]]
        if row.get("requires_any"):
            groups[f"{row['name']}:requires"] = [str(p) for p in row["requires_any"]]
    return phrase_matcher(groups)


@cache
def context_matcher() -> PhraseMatcher:
    """Cancer treatment, low-count statements, sex words and negation cues."""
    words = vocabulary()
    negation = words["negation"]
    return phrase_matcher(
        {
            "cancer_treatment": words["cancer_treatment"],
            "immune_lowering": words["immune_lowering"],
            "pregnant": words["pregnancy"],
            "low_count": words["low_count"],
            "question_about": words["question_about"],
            "female": words["female"],
            "male": words["male"],
            "female_pronoun": words["female_pronoun"],
            "male_pronoun": words["male_pronoun"],
            "negation_before": negation["before"],
            "negation_after": negation["after"],
            "negation_pseudo": negation["pseudo"],
            "scope_end": negation["scope_end"],
        }
    )


def matched_spans(
    matcher: PhraseMatcher, doc: Doc, longest_only: bool = True, per_label: bool = False
) -> list[Span]:
    """Return the matches as labelled spans in text order, overlapping ones reduced to the longest.

    With `per_label`, the longest of each label is kept: "can't keep fluids down" is both a sign of
    infection and of being unwell.
    """
    from spacy.tokens import Span
    from spacy.util import filter_spans

    spans = [Span(doc, start, end, label=key) for key, start, end in matcher(doc)]
    if longest_only and per_label:
        labels = {span.label_ for span in spans}
        spans = [
            kept
            for label in labels
            for kept in filter_spans([span for span in spans if span.label_ == label])
        ]
    elif longest_only:
        spans = filter_spans(spans)
    return sorted(spans, key=lambda span: (span.start, span.end, span.label_))


def phrase_matcher(groups: Mapping[str, Iterable[str]]) -> PhraseMatcher:
    """A matcher of phrases on lower-cased tokens; each match is labelled with its group's key."""
    from spacy.matcher import PhraseMatcher

    language = nlp()
    matcher = PhraseMatcher(language.vocab, attr="LOWER")
    for key, phrases in groups.items():
        docs = [language.make_doc(str(phrase)) for phrase in phrases]
        matcher.add(key, docs)
    return matcher


def _load_yaml(path: Path) -> Any:
    try:
        return read_yaml(path)
    except (OSError, yaml.YAMLError) as exc:
        raise ReferenceDataError(str(path), str(exc)) from exc
