"""White cells counted in urine, spinal fluid, stool and other samples that are not blood.

Such a count is never judged against blood ranges (docs/clinical-reference.md section 4): the
reader drops it, and the reply says the bot explains blood counts only. The cue words are data
(data/specimens.yml).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

import yaml

from bot.errors import ReferenceDataError
from bot.yaml_files import DATA_DIR, read_yaml

SPECIMENS_FILE = DATA_DIR / "specimens.yml"
BLOOD = "blood"
_SENTENCE_END = re.compile(r"[.!?;\n](?=\s|$)")
# Words that name white cells in any sample ("leukocytes", "pus cells"): with a specimen cue and no
# count, they still ask about another sample ("leukocytes in my urine?").
_WHITE_CELL_WORDS = re.compile(
    r"\b(?:wbcs?|white(?: blood)? cells?|white count|leu[ck]ocytes?|pus cells?|esterase|"
    r"neutrophils?|lymphocytes?)\b|/\s*hpf\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Specimen:
    """A sample other than blood: its name, how a reply names it, and the sources it cites."""

    name: str
    words: str
    source_keys: tuple[str, ...]


@dataclass(frozen=True)
class _Cue:
    specimen: Specimen | None  # None: the cue names blood
    start: int
    end: int


def specimen_of_count(text: str, start: int) -> Specimen | None:
    """The sample a count at `start` was measured in, when that is not blood.

    The nearest cue before the count decides; without one, a cue later in the same sentence.
    """
    cues = _cues(text)
    before = [cue for cue in cues if cue.end <= start]
    if before:
        return before[-1].specimen
    match = _SENTENCE_END.search(text, start)
    sentence_end = match.start() if match else len(text)
    after = [cue for cue in cues if start <= cue.start < sentence_end]
    return after[0].specimen if after else None


def specimen_named(text: str) -> Specimen | None:
    """The sample a message asks about when it names white cells in something other than blood."""
    if not _WHITE_CELL_WORDS.search(text):
        return None
    cues = _cues(text)
    if not cues or cues[0].specimen is None:
        return None  # blood named first (or nothing named): the message is about blood
    # "white cells in my urine: is that the same as white cells in the blood?" asks about urine.
    return cues[0].specimen


def specimen_named_by(name: str) -> Specimen:
    """The specimen of data/specimens.yml with this name (KeyError when there is none)."""
    for specimen, _ in _patterns():
        if specimen is not None and specimen.name == name:
            return specimen
    raise KeyError(name)


@lru_cache(maxsize=4)  # every count of one message asks about the same text: scan it once
def _cues(text: str) -> tuple[_Cue, ...]:
    found: list[_Cue] = []
    for specimen, pattern in _patterns():
        found += [_Cue(specimen, m.start(), m.end()) for m in pattern.finditer(text)]
    return tuple(sorted(found, key=lambda cue: cue.start))


@cache
def _patterns() -> tuple[tuple[Specimen | None, re.Pattern[str]], ...]:
    try:
        data = read_yaml(SPECIMENS_FILE)
        blood = [f"(?<!white )(?<!white-){cue}" for cue in data["blood_cues"]]  # not "white blood"
        patterns: list[tuple[Specimen | None, re.Pattern[str]]] = [(None, _pattern(blood, ()))]
        for entry in data["specimens"]:
            specimen = Specimen(entry["name"], entry["words"], tuple(entry["source"]))
            patterns.append((specimen, _pattern(entry["cues"], entry.get("exact_cues", ()))))
    except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
        raise ReferenceDataError(str(SPECIMENS_FILE), f"cannot be read: {exc}") from exc
    return tuple(patterns)


def _pattern(cues: list[str], exact: tuple[str, ...] | list[str]) -> re.Pattern[str]:
    words = "|".join(f"(?i:{cue})" for cue in cues)
    exact_words = "".join(f"|{re.escape(cue)}" for cue in exact)
    return re.compile(rf"(?<![\w-])(?:{words}{exact_words})(?![\w-])")  # not "G-CSF"
