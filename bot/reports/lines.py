"""The lines of a report that are about white cells, tidied where OCR is known to slip.

Only lines naming a white-cell test (WBC or leukocytes, neutrophils absolute or percent,
bands, lymphocytes) and holding a number are kept; urine microscopy ("WBC 0-5 /hpf") is not a
blood count and is left out. The tidying is limited to what cannot change a number: the
exponent of a unit ("x10%3/uL" and "x103/uL" are "x10^3/uL"), "/pL" for "/uL", "G/I" for
"G/l", a flag stuck to the range ("1.8-7.7L"), a portal's labels ("Your value:", "Standard
range:"), and spacing.

A portal prints a test as a block: its name on one line, the value (and the range) on the
next ones. `blocks` joins such lines into one, only where nothing else can be meant.
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
# A superscript exponent that OCR turned into a sign or lost ("x10³/µL" read "x10°/uL" or
# "x10?/uL"): per microlitre a white count is in thousands, per litre in 10^9.
LOST_EXPONENT = re.compile(r"(?i)\b([x×*]\s?10)\s?[°?*'’\"`~%]\s?(?=/\s?(uL|L)\b)")
# The "x" of "x10^9/L" read as another sign: "«10^9/L", "%10^9/L".
TIMES_SIGN = re.compile(r"(?<![\w.,])[«»%*×]\s?(?=10\^[369]\s?/)")
# "x10^9/L" with its "L" lost at the end of a word ("x10^9/ (1.0-4.0)").
LITRE_LOST = re.compile(r"(?i)\b(x10\^9/)(?=\s|$)")
# "G/l" (giga per litre) and "/nl" with their "l" read as "I", "1", "|" or "t".
GIGA_LITRE = re.compile(r"((?<![A-Za-z])[Gg]/|/[nN])[I1|t](?=\s|$)")
# The "10" of a unit with an "l" or "I" read into it: "x1l0*9/L".
TEN_MISREAD = re.compile(r"(?i)\b([x×*])1[lI|]0(?=\s?[\^*%°]?\s?[369]\s?/)")
# "White cellcount": the space lost between two words of a test's name.
CELL_COUNT = re.compile(r"(?i)\b(cell)(count)\b")
# "Neutrophile abs. 4,3": the full stop of an abbreviation, not the end of a sentence.
ABBREVIATION = re.compile(r"(?i)\b(abs|tot|ct)\.(?=\s)")
# A portal's labels around the value and the range; the numbers stay where they are.
LABELS = re.compile(
    r"(?i)\b(?:your\s+value|value|result|(?:standard|normal|reference|ref\.?)\s+range"
    r"|range)\s*:\s*"
)
STUCK_FLAG = re.compile(r"(\d)([HL])(?=\s|$)")
# A stray mark between cells (what is left of a table's rule): a token of signs only.
STRAY_MARK = re.compile(r"(?:(?<=\s)|^)[=|\[\]~—_:;]+(?=\s|$)")
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
    """Return the line with OCR's known slips in units undone, control characters dropped.

    Its spacing is also made single.
    """
    line = SPACES.sub(" ", CONTROL.sub(" ", line).replace("|", " ")).strip()
    line = LABELS.sub("", line)
    line = CELL_COUNT.sub(r"\1 \2", TEN_MISREAD.sub(r"\g<1>10", line))
    line = EXPONENT.sub(lambda m: f"{m.group(1) or m.group(2)}^{m.group(3)}", line)
    line = LOST_EXPONENT.sub(lambda m: f"x10^{'9' if m.group(2) in 'lL' else '3'}", line)
    line = TIMES_SIGN.sub("x", line)
    line = LITRE_LOST.sub(r"\1L", line)
    line = MICRO_LITRE.sub("/uL", line)
    line = GIGA_LITRE.sub(lambda m: m.group(1) + "l", line)
    line = ABBREVIATION.sub(r"\1", line)
    line = SPACES.sub(" ", STRAY_MARK.sub(" ", line)).strip()
    return STUCK_FLAG.sub(r"\1 \2", line)


# In a table laid out in two columns, one printed row can hold two tests. A row is cut before
# a cell that starts with a word (a test name) once the part so far has a number; units
# ("x10^3/uL", "/cumm", "%") and flags ("H", "Low") are not names.
FLAG_WORDS = frozenset({"h", "l", "high", "low", "normal", "abnormal", "a", "n", "hh", "ll"})
# Words a portal prints around a value and a range: not the name of a test.
LABEL_WORDS = frozenset(
    {"your", "value", "result", "standard", "reference", "ref", "range", "to", "in", "of"}
)


def split_row(cells: Sequence[str]) -> list[list[int]]:
    """Split one printed line whose cells were separated by wide gaps into rows of cell indices."""
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
        and first.lower().strip(".*:") not in FLAG_WORDS | LABEL_WORDS
        and not first.lower().startswith(("x10", "10^", "cells", "thou", "mill", "per"))
        and len(first) > 2
    )


# A block of lines is joined only when its first line is a white-cell test's name and
# nothing else, and the lines after it hold numbers and nothing but units, flags and a
# portal's labels ("Your value: 3.2 x10E3/uL", "Standard range: 4.0 - 10.5 x10E3/uL").
MAX_BLOCK_LINES = 2  # value lines after the name: the value, then the range
NAME_ONLY_WORDS = 6
UNIT_TOKEN = re.compile(
    r"(?i)^(?:%|[x×*]?10\^?\*?[369e]?.*|.*/.*|[kmg]|thousand|million|cells|lakhs?|tsd\.?"
    r"|[-–+]|\(?\d[\d.,]*(?:\s?[-–]\s?\d[\d.,]*)?\)?%?)$"
)


def is_name_only(line: str) -> bool:
    """Tell whether a line is only the name of a white-cell test, as a portal's block starts.

    As in "White Blood Cell Count" or "Neutrophils (Absolute)".
    """
    words = line.split()
    return (
        0 < len(words) <= NAME_ONLY_WORDS
        and not DIGIT.search(line)
        and len(WHITE_CELL_NAME.findall(line)) == 1
        and not NOT_BLOOD.search(line)
    )


def is_value_only(line: str) -> bool:
    """A line of numbers with only units, flags and a portal's labels: no test named."""
    if not DIGIT.search(line) or WHITE_CELL_NAME.search(line):
        return False
    for word in line.split():
        bare = word.strip(":;,()[]").lower()
        if not bare or bare in FLAG_WORDS or bare in LABEL_WORDS or UNIT_TOKEN.match(bare):
            continue
        return False
    return True


def blocks(
    lines: Sequence[str],
    alone: Sequence[bool] | None = None,
    aligned: Sequence[bool] | None = None,
) -> list[list[int]]:
    """Group the printed lines into one reader line each, as lists of line indices.

    A white-cell test's name alone on its line followed by one or two lines holding only its value
    (and range) becomes one group; every other line is a group of its own. `alone[i]` says whether
    line i was the only part of its printed row (in a two-column page a name beside another test's
    numbers is not a block); `aligned[i]` whether it starts where line i-1 starts (a block's lines
    do: a value printed in another column is not the name's).
    """
    sole = list(alone) if alone is not None else [True] * len(lines)
    under = list(aligned) if aligned is not None else [True] * len(lines)
    groups: list[list[int]] = []
    index = 0
    while index < len(lines):
        if sole[index] and is_name_only(lines[index]):
            after = index + 1
            while (
                after < len(lines)
                and after - index <= MAX_BLOCK_LINES
                and sole[after]
                and under[after]
                and is_value_only(lines[after])
            ):
                after += 1
            values = after - index - 1
            ambiguous = after < len(lines) and sole[after] and is_value_only(lines[after])
            if values and not ambiguous:
                groups.append(list(range(index, after)))
                index = after
                continue
        groups.append([index])
        index += 1
    return groups
