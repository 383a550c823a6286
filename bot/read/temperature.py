"""Body temperatures in text: "38.5°C", "101 F", "temp of 39", "fever 100,8", "102 degrees".

A number counts as a temperature when it carries a temperature unit, or follows a temperature
word. Without a unit, 45 or below is Celsius and above is Fahrenheit (clinical-reference.md
section 5). Values outside what a living body shows are ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bot.reference.ranges import celsius_up_to

PLAUSIBLE_CELSIUS = (33.0, 44.0)

_NUMBER = r"(?P<number>\d{2,3}(?:[.,]\d{1,2})?)"
_UNIT = (
    r"(?P<unit>[ \t]*(?:°|º|˚|degrees?\b|deg\b\.?)[ \t]*"
    r"(?:(?P<scale>c|f|celsius|fahrenheit|centigrade)\b)?"
    r"|[ \t]*(?P<scale_only>c|f|celsius|fahrenheit|centigrade)\b)"
)
_WITH_UNIT = re.compile(rf"(?<![\w.,]){_NUMBER}{_UNIT}", re.IGNORECASE)
# Words after which a number is surely a temperature (it is never read as a count after them),
# and weaker ones ("reached 39") that only make a number a temperature when no count name
# claims it.
_STRONG_WORDS = (
    r"temp|temps|temperature|temperatures|temprature|temperture|tempreture|fever|fevers|"
    r"febrile|feverish|running|spiked?|spiking|thermometer|T|tmax|t-max|max temp|pyrexia|pyrexial"
)
_WEAK_WORDS = (
    r"read|reads|reading|reached|hit|went up to|up to|i'm at|im at|i am at|she's at|he's at|"
    r"hot|burning up|boiling|roasting|got|getting|rectally|orally|"
    r"she is at|he is at|was at"
)
_AFTER_WORD = re.compile(
    rf"\b(?P<word>{_STRONG_WORDS}|{_WEAK_WORDS})\b"
    r"(?:[ \t,]*(?:is|was|of|at|to|=|:|reached|hit|went|up|around|about|almost|over|of about|"
    r"last night|this morning|tonight|today|now|still|a|has|been|says|said|shows|showed|"
    r"yesterday|earlier|exactly|around|roughly|approximately|like|about|of|over|keeps|keep|"
    r"coming|came|comes|going|gone|down|between|and|on|off|all|day|afternoon|evening|"
    r"reads|reading|it'?s|it’s|it is|it was|now at|high|up|raised|but|only|just|barely|"
    r"measured|measures|measuring|climbing|climbed|rising|rose|risen|creeping|steadily|"
    r"under|her|his|their|the|my|arm|armpit|ear|mouth|forehead|rectally|orally|took|taken)\b)*"
    r"[ \t:=,]*"
    rf"{_NUMBER}(?![\d%])(?!\s*(?:%|k\b|/|x\s*10|cells|years?|months?|days?|weeks?))",
    re.IGNORECASE,
)
# "now he's 38.2", "im 37.7 now", "has been 39.8 all afternoon", "call at 37.8 and above": a
# decimal that only a body temperature can be, after a person or a threshold word.
_PERSON_DECIMAL = re.compile(
    r"\b(?:(?:he|she|i|it|baby|hes|shes|im|its)(?:['’]s|['’]m| is| am| was)?"
    r"|(?:has|have|had|'s|’s)(?:[ \t]+(?:been|had|got))?|at|above|over|reaches|hits|hit)[ \t]+"
    r"(?:(?:now|at|still|only|just|up to|running)[ \t]+)*"
    r"(?P<number>(?:3[4-9]|4[0-2])[.,]\d{1,2})(?![\d%])"
    r"(?![ \t]*(?:k\b|/|x|cells|years?|months?|weeks?))",
    re.IGNORECASE,
)
# "38.5 on the thermometer", "39.1 under the arm": a thermometer reading named after the number.
_BEFORE_WORDS = re.compile(
    rf"(?<![\w.,]){_NUMBER}(?![\d%])[ \t]*(?:on|by|with|from|under|in)[ \t]+"
    r"(?:the|a|my|our|his|her)?[ \t]*"
    r"(?:thermometer|arm|armpit|ear|forehead|mouth|tongue|bottom|bum|butt|rectum)\b",
    re.IGNORECASE,
)
# "is 99.1 a fever?", "37.8 counts as a low-grade fever", "a 38.2 fever": the number before the
# word. Weak (a count name before it still claims it: "wbc 38 fever" needs a unit).
_BEFORE_FEVER = re.compile(
    rf"(?<![\w.,]){_NUMBER}(?![\d%])[ \t]*(?:is[ \t]+|=[ \t]*)?"
    r"(?:(?:considered|counted|classed|classified)(?:[ \t]+as)?[ \t]+)?(?:(?:a|an)[ \t]+)?"
    r"(?:(?:low|high)[- ]grade[ \t]+|high[ \t]+|mild[ \t]+|real[ \t]+)?"
    r"(?:fever|temperature|temp)\b",
    re.IGNORECASE,
)
# "temp 37.2 this morning, 38.6 tonight": more readings after one, in the same sentence.
_CONTINUED = re.compile(
    r"(?:[\s,/-]|\bit['’]s\b|\b(?:and|then|now|later|up|to|this|morning|evening|afternoon|tonight|today|"
    r"yesterday|last|night|earlier|it|was|is|went|rose|reached|hit|after|before|an|hour|hours|"
    r"ago|by|at|but|still|right|currently|reads|says|shows|in|the|ear|arm|armpit|mouth|under|"
    r"forehead|orally|rectally|min|mins|minutes)\b)+"
    r"(?<![\w.,])(?P<number>\d{2,3}(?:[.,]\d{1,2})?)"
    r"(?![\d%])(?!\s*(?:k\b|/|x\s*10|cells|years?|months?|days?|weeks?))",
    re.IGNORECASE,
)


# "my 3 month old has 38.2", "new cough and 38.2", "38.0 this evening": in a message that names
# no lab test, a decimal only a body temperature can be (37.0-42.9 °C, 99.0-107.9 °F). Not in a
# message that names tests: "Hct 38.2" and "MCV 99.5" are no temperatures.
_BARE_DECIMAL = re.compile(
    r"(?<![\w.,/$£€])(?P<number>(?:3[7-9]|4[0-2])[.,]\d{1,2}|(?:99|10[0-7])[.,]\d)"
    r"(?![\d%]|[.,]\d)(?![ \t]*(?:k\b|/|x|\*|cells|kg|lbs?\b|cm|in\b|mm|ml|mg|years?|months?|"
    r"weeks?|days?|hours?|hrs?|mins?|minutes|%|percent|pounds|dollars|euros))",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Temperature:
    """A temperature found in text, in degrees Celsius."""

    celsius: float
    text: str
    start: int
    explicit: bool = True  # a unit or a temperature word says so; never a count then


def find_temperatures(text: str, bare_decimals: bool = False) -> list[Temperature]:
    """Return every plausible body temperature in the text, in order.

    With `bare_decimals`, also a decimal that only a body temperature can be, for a message that
    names no lab test.
    """
    found: dict[int, Temperature] = {}
    for match in _WITH_UNIT.finditer(text):
        scale = (match.group("scale") or match.group("scale_only") or "").lower()
        temperature = _temperature(match.group("number"), scale, match.group(0), match.start())
        if temperature is not None:
            found[match.start("number")] = temperature
    for match in _AFTER_WORD.finditer(text):
        start = match.start("number")
        word = match.group("word")
        if start in found or (word == "T" and match.group(0)[0] != "T"):
            continue  # a lone "T" counts only as a capital ("T 38.7"), and re.I lowers it
        temperature = _temperature(match.group("number"), "", match.group("number"), start)
        if temperature is not None:
            explicit = re.fullmatch(_STRONG_WORDS, word, re.IGNORECASE) is not None
            found[start] = replace(temperature, explicit=explicit)
    for match in _BEFORE_WORDS.finditer(text):
        start = match.start("number")
        temperature = _temperature(match.group("number"), "", match.group("number"), start)
        if temperature is not None and start not in found:
            found[start] = temperature
    for match in _PERSON_DECIMAL.finditer(text):
        start = match.start("number")
        temperature = _temperature(match.group("number"), "", match.group("number"), start)
        if temperature is not None and start not in found:
            found[start] = replace(temperature, explicit=False)
    for match in _BEFORE_FEVER.finditer(text):
        start = match.start("number")
        temperature = _temperature(match.group("number"), "", match.group("number"), start)
        if temperature is not None and start not in found:
            found[start] = replace(temperature, explicit=False)
    if bare_decimals:
        for match in _BARE_DECIMAL.finditer(text):
            start = match.start("number")
            temperature = _temperature(match.group("number"), "", match.group("number"), start)
            if temperature is not None and start not in found:
                found[start] = replace(temperature, explicit=False)
    for start in sorted(found):
        _add_continued(text, start + len(found[start].text), found, found[start])
    return [found[start] for start in sorted(found)]


def _add_continued(
    text: str, pos: int, found: dict[int, Temperature], previous: Temperature
) -> None:
    """Readings that follow a temperature in the same sentence are temperatures too."""
    while (match := _CONTINUED.match(text, pos)) is not None:
        number = match.group("number")
        temperature = _temperature(number, "", number, match.start("number"))
        if temperature is None:
            return
        found.setdefault(match.start("number"), replace(temperature, explicit=previous.explicit))
        previous = found[match.start("number")]
        pos = match.end()


def _temperature(number: str, scale: str, typed: str, start: int) -> Temperature | None:
    value = float(number.replace(",", "."))
    if scale.startswith("f") or (not scale.startswith("c") and value > celsius_up_to()):
        value = (value - 32.0) * 5.0 / 9.0
    low, high = PLAUSIBLE_CELSIUS
    if not low <= value <= high:
        return None
    return Temperature(round(value, 2), typed.strip(), start)
