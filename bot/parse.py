"""One pass over a message: tokenize once, read counts, percentages and the clinical context."""

from __future__ import annotations

from bot.errors import EmptyTextError, TextTooLongError
from bot.model import ParsedText
from bot.pipeline import make_doc
from bot.symptoms import read_context
from bot.values import find_lab_values

MAX_TEXT_CHARS = 20_000  # a 40-line lab report is about 3,000 characters


def parse_text(text: str) -> ParsedText:
    """Read everything the interpreter needs from one message."""
    cleaned = clean_text(text)
    doc = make_doc(cleaned)
    values, shares = find_lab_values(doc)
    return ParsedText(
        text=cleaned,
        values=values,
        neutrophil_shares=shares,
        context=read_context(doc, values),
    )


# Full-width forms (U+FF01-U+FF5E, typed with East Asian keyboards: "ｗｂｃ ３．２") as their
# ASCII letters, digits and signs. Not a general Unicode normalization (NFKC), which would also
# turn "10⁹/L" into "109/L" and "mm³" into "mm3".
FULL_WIDTH_TO_ASCII = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def clean_text(text: str) -> str:
    """Refuse empty or oversized text; drop characters that cannot be encoded or printed;
    read full-width letters and digits as ASCII."""
    if len(text) > MAX_TEXT_CHARS:
        raise TextTooLongError(len(text), MAX_TEXT_CHARS)
    cleaned = text.encode("utf-8", errors="replace").decode("utf-8").translate(FULL_WIDTH_TO_ASCII)
    cleaned = "".join(char if char.isprintable() or char in "\n\t" else " " for char in cleaned)
    if not cleaned.strip():
        raise EmptyTextError()
    return cleaned
