"""Read an age from text, in years.

"my 3 year old", "10 day old baby", "I'm 34", "son is 14", "16-week-old", "45 y/o", "aged 70",
"34F". Days are divided by 365.25, weeks are times 7 / 365.25, months are divided by 12.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.reference.units import MAX_AGE_YEARS, years_of_age

_UNIT = r"(?P<unit>years?|yrs?|yr|y|months?|mos?|mths?|weeks?|wks?|wk|days?|d)"
_NUMBER = (
    r"(?P<number>\d{1,3}(?:[.,]5)?(?!\d|[.,]\d)"
    r"|(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b)"
)
_AGE_PATTERNS = (
    # 3 year old, 3-year-old, 10 day old, 16-week-old, 6 months old, 2 yrs old
    re.compile(rf"(?<![\w.,]){_NUMBER}[ \t]*-?[ \t]*{_UNIT}s?[ \t]*-?[ \t]*olds?\b", re.I),
    # 45 y/o, 45yo, 45 y.o.
    re.compile(r"(?<![\w.,])(?P<number>\d{1,3})[ \t]*(?:y/o|yo|y\.o\.?|yrs?\b)", re.I),
    # aged 70, age 45, age: 45
    re.compile(rf"\b(?:aged?|ages?)[ \t]*[:=]?[ \t]*{_NUMBER}(?:[ \t]*{_UNIT}\b)?", re.I),
    # I'm 34, I am 34, son is 14, she's 3, daughter is 6 months, baby is 10 days
    re.compile(
        r"\b(?:i'm|i’m|im|i am|he's|he’s|she's|she’s|he is|she is|hes|shes|"
        r"(?:son|daughter|child|kid|baby|boy|girl|toddler|infant|husband|wife|mom|mum|mother|"
        r"dad|father|brother|sister|grandson|granddaughter|patient)(?:'s| is| was|’s))"
        rf"[ \t]+(?:only[ \t]+|just[ \t]+|now[ \t]+)?{_NUMBER}"
        r"(?![ \t]*(?:years?|yrs?|months?|mos?|weeks?|wks?|days?|d)?[ \t]*"
        r"(?:into|post|after|since|out|from|pregnant|of|times)\b)"
        rf"(?:[ \t]*{_UNIT}\b)?(?![ \t]*(?:%|kg|lbs?|pounds|[.,]\d|°|degrees))",
        re.I,
    ),
    # baby 7 weeks, son, 3 months: a unit is needed ("son 3 days ago" is not an age)
    re.compile(
        r"\b(?:son|daughter|child|kid|baby|boy|girl|toddler|infant|grandson|granddaughter|newborn)"
        rf"[ \t]*,?[ \t]+{_NUMBER}[ \t]*-?[ \t]*{_UNIT}\b"
        r"(?![ \t]*(?:ago|later|after|since|post|of)\b)",
        re.I,
    ),
    # 2mo, 6wk, 10wks, 3wo: a number and a short unit written together
    re.compile(
        r"(?<![\w.,])(?P<number>\d{1,2})(?P<unit>mos?|mths?|wks?|wo)\b"
        r"(?![ \t]*(?:ago|later|after|since|post|of|into)\b)",
        re.I,
    ),
    # my son (14), daughter (6 months)
    re.compile(
        r"\b(?:son|daughter|child|kid|baby|boy|girl|toddler|infant|grandson|granddaughter|patient)"
        rf"[ \t]*\([ \t]*{_NUMBER}(?:[ \t]*{_UNIT}\b)?[ \t]*(?:old)?[ \t]*\)",
        re.I,
    ),
)
# "my newborn", "a new-born baby", "neonate": days old, under 3 months (a fever is an emergency).
# Read as day 0 when no age is typed: the youngest band has the highest lower limit, so a count
# is rather called low (with a fever, the safer mistake).
_NEWBORN = re.compile(
    r"(?<!\bwas a )(?<!\bas a )(?<!\bwhen a )\b(?:new[ -]?borns?|neonates?|neonatal)\b", re.I
)
# Clinical shorthand "34F", "67 M": age and sex together.
_AGE_SEX = re.compile(r"(?<![\w.,])(?P<number>\d{1,3})[ \t]*(?:yo|y/o)?[ \t]*(?P<sex>[MF])\b")
_WORD_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
_SHORTHAND_TEMPERATURE_F = (93, 113)  # "101F" is a temperature, not a 101-year-old woman
# "I'm 28 weeks" is a pregnancy, "I'm 3 months" a time since something: a writer is not a baby.
_FIRST_PERSON_SHORT_SPAN = re.compile(
    r"^(?:i'm|i’m|im|i am)\b.*\b(?:mo|mth|month|w|wk|week|d|day)", re.I
)


@dataclass(frozen=True)
class Age:
    """An age found in text."""

    years: float
    text: str
    start: int
    sex: str | None = None  # "female" | "male" when typed as "34F"


def find_ages(text: str) -> list[Age]:
    """Every age in the text, in order (one per position)."""
    found: dict[int, Age] = {}
    for pattern in _AGE_PATTERNS:
        for match in pattern.finditer(text):
            years = _years(match.group("number"), match.groupdict().get("unit"))
            if _FIRST_PERSON_SHORT_SPAN.match(match.group(0)):
                continue
            if years is not None and match.start() not in found:
                found[match.start()] = Age(years, match.group(0), match.start())
    for match in _AGE_SEX.finditer(text):
        number = int(match.group("number"))
        low, high = _SHORTHAND_TEMPERATURE_F
        if match.group("sex") == "F" and low <= number <= high:
            continue
        if number <= MAX_AGE_YEARS and not any(
            age.start <= match.start() < age.start + len(age.text) for age in found.values()
        ):
            sex = "female" if match.group("sex") == "F" else "male"
            found[match.start()] = Age(float(number), match.group(0), match.start(), sex)
    newborn = _NEWBORN.search(text)
    if newborn is not None and not found:
        found[newborn.start()] = Age(0.0, newborn.group(0), newborn.start())
    return [found[start] for start in sorted(found)]


_BARE_AGE = re.compile(
    rf"^\s*(?:(?:she|he|they)(?:'s| is| are)\s+)?{_NUMBER}(?:[ \t]*{_UNIT}\b)?(?:[ \t]*old)?"
    r"[ \t]*[.!]?\s*$",
    re.I,
)


def read_bare_age(text: str) -> float | None:
    """An answer to "how old?" that is only a number, with or without a unit ("3", "6 months")."""
    match = _BARE_AGE.match(text)
    if match is None:
        return None
    return _years(match.group("number"), match.group("unit"))


def _years(number: str, unit: str | None) -> float | None:
    word = number.lower()
    value = float(_WORD_NUMBERS[word]) if word in _WORD_NUMBERS else float(word.replace(",", "."))
    unit = (unit or "y").lower()
    spelled = {"d": "day", "w": "week", "m": "month"}.get(unit[0], "year")
    years = years_of_age(value, spelled)
    return years if 0 <= years <= MAX_AGE_YEARS else None
