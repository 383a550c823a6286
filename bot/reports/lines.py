"""The lines of a report that are about white cells, tidied where OCR is known to slip.

Only lines naming a white-cell test (WBC or leukocytes, neutrophils absolute or percent,
bands, lymphocytes) and holding a number are kept; urine microscopy ("WBC 0-5 /hpf") is not a
blood count and is left out. The tidying is limited to what cannot change a number: the
exponent of a unit ("x10%3/uL" and "x103/uL" are "x10^3/uL"), "/pL" for "/uL", a flag
stuck to the range ("1.8-7.7L"), and spacing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

WHITE_CELL_NAME = re.compile(
    r"""(?ix)
    \b(?:
        w\.?\s?b\.?\s?c\b\.?         # WBC, W.B.C.
      | white\s+(?:blood\s+)?cell
      | leu[ck]o[cz]yt               # leukocytes, leucocytes, Leukozyten
      | t\.?\s?l\.?\s?c\b            # TLC (total leucocyte count)
      | neutro                       # neutrophils, neutrophil count
      | neut\b | anc\b | segs?\b | segmented | polymorphs?
      | bands?\b | band\s+(?:forms?|cells?|neutrophils?) | stabs?\b | stabkernige
      | lympho | lymphs?\b | lym\b | lymphozyten
    )
    """
)
NOT_BLOOD = re.compile(r"(?i)\b(?:hpf|lpf|urine|urinalysis|csf|stool)\b|/\s*hpf")
DIGIT = re.compile(r"\d")

# OCR's ways of losing the caret of "x10^3/uL" before the "/": "x10%3", "x10*3", "x10°3",
# "x10%*3", "x1073" (the caret read as a 7), "x103"; without the "x" only with a sign between,
# since "1073/cumm" may be a count.
EXPONENT = re.compile(
    r"(?i)(?:([x×*]\s?10)\s?(?:[\^*%°'’\"`~7]{1,2}|\s)?|(\b10)\s?[\^*%°'’\"`~]{1,2})\s?([369])"
    r"(?=\s?/)"
)
MICRO_LITRE = re.compile(r"/\s?[pμµu]l\b", re.IGNORECASE)
STUCK_FLAG = re.compile(r"(\d)([HL])$")
SPACES = re.compile(r"[ \t]+")
# Terminal escape sequences, control characters (a PDF's text layer can hold them) and the
# bidirectional overrides that make text read differently from how it is stored: never shown.
CONTROL = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?|[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def is_white_cell_line(line: str) -> bool:
    """A line naming a white-cell test with a number on it, and not from a urine test."""
    return (
        bool(WHITE_CELL_NAME.search(line))
        and bool(DIGIT.search(line))
        and not NOT_BLOOD.search(line)
    )


def tidy(line: str) -> str:
    """The line with OCR's known slips in units undone, control characters dropped and its
    spacing made single."""
    line = SPACES.sub(" ", CONTROL.sub(" ", line).replace("|", " ")).strip()
    line = EXPONENT.sub(lambda m: f"{m.group(1) or m.group(2)}^{m.group(3)}", line)
    line = MICRO_LITRE.sub("/uL", line)
    return STUCK_FLAG.sub(r"\1 \2", line)


# In a table laid out in two columns, one printed row can hold two tests. A row is cut before
# a cell that starts with a word (a test name) once the part so far has a number; units
# ("x10^3/uL", "/cumm", "%") and flags ("H", "Low") are not names.
FLAG_WORDS = frozenset({"h", "l", "high", "low", "normal", "abnormal", "a", "n", "hh", "ll"})


def split_row(cells: Sequence[str]) -> list[list[int]]:
    """The rows in one printed line whose cells were separated by wide gaps, each as the
    indices of its cells."""
    rows: list[list[int]] = []
    for index, cell in enumerate(cells):
        if not cell.strip():
            continue
        so_far = " ".join(cells[i] for i in rows[-1]) if rows else ""
        if rows and not (_starts_a_test(cell) and DIGIT.search(so_far)):
            rows[-1].append(index)
        else:
            rows.append([index])
    return rows


def _starts_a_test(cell: str) -> bool:
    first = cell.split()[0] if cell.split() else ""
    return (
        first[:1].isalpha()
        and "/" not in first
        and first.lower().strip(".*:") not in FLAG_WORDS
        and not first.lower().startswith(("x10", "10^", "cells", "thou", "mill", "per"))
        and len(first) > 2
    )
