"""One pass over a message: tokenize once, read counts, percentages and the clinical context."""

from __future__ import annotations

import re
from dataclasses import replace

from bot.errors import EmptyTextError, TextTooLongError
from bot.model import LabValue, ParsedText
from bot.read.clinical_context import read_context
from bot.read.matchers import make_doc
from bot.read.specimens import specimen_named, specimen_of_count
from bot.read.temperature import find_temperatures
from bot.read.values import NEUTROPENIA, find_lab_values, label_spans, names_a_test

# Checked before any parsing (and by every channel before Rasa reads the message): a 40-line lab
# report is about 3,000 characters; work per message grows linearly up to here
# (scripts/bench_adversarial.py).
MAX_TEXT_CHARS = 5_000
# A run of one sign or emoji ("!!!!!!", "%%%%", "😀😀😀😀") said as three; any run of signs as
# at most 20. spaCy's tokenizer is quadratic on long runs without spaces; nobody means more.
_SAME_SIGN_RUN = re.compile(r"([^\w\s]|_)\1{3,}")
_SIGN_RUN = re.compile(r"((?:[^\w\s]|_){20})(?:[^\w\s]|_)+")


def parse_text(text: str) -> ParsedText:
    """Read everything the interpreter needs from one message.

    A number that is a temperature ("a temperature of 38.6", "fever 102") is never a count, and
    a count measured in urine, spinal fluid or another sample is not judged as a blood count
    (docs/clinical-reference.md section 4).
    """
    cleaned = clean_text(text)
    doc = make_doc(cleaned)
    labels = label_spans(doc)
    found, shares = find_lab_values(doc, labels)
    # "neutropenic n 38.1": the name of a condition is no lab test, so 38.1 is a temperature.
    tests = [label for label in labels if label.label_ != NEUTROPENIA]
    temperatures = find_temperatures(cleaned, bare_decimals=not names_a_test(tests))
    explicit = {t.start for t in temperatures if t.explicit}
    values, specimen = [], specimen_named(cleaned)
    for value in found:
        if _number_start(value) in explicit:
            continue
        value_specimen = specimen_of_count(cleaned, value.start)
        if value_specimen is not None:
            specimen = specimen or value_specimen
            continue
        values.append(value)
    values = _without_repeats(values)  # "anc 0 ... what does anc 0 mean?": one reading
    counted = {_number_start(value) for value in values}
    temperatures = [t for t in temperatures if t.start not in counted]
    context = read_context(doc, values, temperatures)
    if specimen is not None:
        context = replace(context, other_specimen=specimen.name)
    return ParsedText(
        text=cleaned,
        values=tuple(values),
        neutrophil_shares=shares if not specimen else (),
        context=context,
        tokens=doc,
    )


def _without_repeats(values: list[LabValue]) -> list[LabValue]:
    """The same count said again (same analyte, number and range) is the same reading."""
    seen: set[tuple[object, ...]] = set()
    kept = []
    for value in values:
        key = (value.analyte, value.cells_per_ul, value.lab_range, value.previous_cells_per_ul)
        if value.cells_per_ul is None or key not in seen:
            kept.append(value)
        seen.add(key)
    return kept


def _number_start(value: LabValue) -> int:
    """Where the number of a count starts ("-3.2" starts at the sign)."""
    return value.start + (1 if value.text.startswith(("-", "−")) else 0)


# Full-width forms (U+FF01-U+FF5E, typed with East Asian keyboards: "ｗｂｃ ３．２") as their
# ASCII letters, digits and signs. Not a general Unicode normalization (NFKC), which would also
# turn "10⁹/L" into "109/L" and "mm³" into "mm3".
FULL_WIDTH_TO_ASCII = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def clean_text(text: str) -> str:
    """Clean a message before it is read; refuse empty or oversized text.

    Drops terminal escape sequences and characters that cannot be encoded or printed, reads
    full-width letters and digits as ASCII, and shortens runs of signs and emoji.
    """
    if len(text) > MAX_TEXT_CHARS:
        raise TextTooLongError(len(text), MAX_TEXT_CHARS)
    cleaned = text.encode("utf-8", errors="replace").decode("utf-8").translate(FULL_WIDTH_TO_ASCII)
    # Terminal escape sequences ("\x1b[31m" colours, "\x1b]8;;URL\x1b\\" links) go whole: with
    # only the escape character dropped, "[31m" would be read as a count of 31.
    cleaned = re.sub(
        r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
        r"|\x1b[ -/]*[0-~]?",
        " ",
        cleaned,
    )
    cleaned = "".join(char if char.isprintable() or char in "\n\t" else " " for char in cleaned)
    cleaned = _SIGN_RUN.sub(r"\1", _SAME_SIGN_RUN.sub(r"\1\1\1", cleaned))
    if not cleaned.strip():
        raise EmptyTextError()
    return _SPOKEN_DECIMAL.sub(_as_digits, cleaned)


# "three point two", "14 point 1", "4 point 4 k": a decimal said in words (dictation, or
# someone repeating what the nurse said on the phone) is read as the digits it says.
_DIGIT_WORDS = {
    word: str(number)
    for number, word in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
}
_DIGIT_WORDS["oh"] = "0"
_WHOLE = r"\d{1,3}|" + "|".join(sorted(_DIGIT_WORDS, key=len, reverse=True))
_DIGIT = r"\d|" + "|".join(word for word, digits in _DIGIT_WORDS.items() if len(digits) == 1)
_SPOKEN_DECIMAL = re.compile(
    rf"\b({_WHOLE})[ \t]+point[ \t]+((?:{_DIGIT})(?:[ \t]+(?:{_DIGIT}))?)\b", re.IGNORECASE
)


def _as_digits(match: re.Match[str]) -> str:
    whole = _DIGIT_WORDS.get(match.group(1).lower(), match.group(1))
    fraction = "".join(_DIGIT_WORDS.get(word.lower(), word) for word in match.group(2).split())
    return f"{whole}.{fraction}"
