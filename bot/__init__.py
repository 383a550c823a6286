"""The domain core of the white-count chatbot: reads counts and symptoms in text and judges them.

Pure Python (spaCy for tokenizing and matching); never imports rasa or rasa_sdk.

    >>> from bot import interpret_text
    >>> interpret_text("wbc 2.9 and I have a fever").urgency.value
    'emergency'
"""

from __future__ import annotations

from bot.errors import EmptyTextError, ReferenceDataError, TextTooLongError, WbcBotError
from bot.judge.interpret import interpret
from bot.model import (
    Analyte,
    Category,
    ClinicalContext,
    Finding,
    Grade,
    Interpretation,
    LabFlag,
    LabRange,
    LabValue,
    NeutrophilShare,
    ParsedText,
    RedFlag,
    RedFlagKind,
    ReferenceRange,
    Sex,
    Urgency,
)
from bot.read.parse import MAX_TEXT_CHARS, parse_text

__all__ = [
    "MAX_TEXT_CHARS",
    "Analyte",
    "Category",
    "ClinicalContext",
    "EmptyTextError",
    "Finding",
    "Grade",
    "Interpretation",
    "LabFlag",
    "LabRange",
    "LabValue",
    "NeutrophilShare",
    "ParsedText",
    "RedFlag",
    "RedFlagKind",
    "ReferenceDataError",
    "ReferenceRange",
    "Sex",
    "TextTooLongError",
    "Urgency",
    "WbcBotError",
    "interpret",
    "interpret_text",
    "parse_text",
]


def interpret_text(
    text: str, age_years: float | None = None, sex: Sex | None = None
) -> Interpretation:
    """Read and judge one message; `age_years`/`sex` override what the text says."""
    return interpret(parse_text(text), age_years=age_years, sex=sex)
