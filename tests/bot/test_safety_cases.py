"""Red-team table of safety cases (issue 9): tests/bot/safety_cases.yml.

Each message goes through the function `python -m bot reply --json` calls (bot.__main__), in a
fresh conversation, and the reply is checked against docs/clinical-reference.md sections 4-7:
never silent, never the trouble reply, the expected urgency, emergency advice first, no blood
verdict for another sample, no temperature read as a count, someone else's count worded as theirs,
and never a diagnosis or a word that care can wait.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from bot.__main__ import _reply_json
from bot.judge.safety import TROUBLE_TEXT
from bot.yaml_files import read_yaml

CASES_FILE = Path(__file__).with_name("safety_cases.yml")
CASES: list[dict[str, Any]] = read_yaml(CASES_FILE)
# Issue 20: written by a helper who read only the clinical reference (not the vocabulary, the
# rules or the cases above), and never tuned on: a failure here is fixed by a kind, not a case.
HELDOUT: list[dict[str, Any]] = [
    *read_yaml(Path(__file__).with_name("safety_heldout.yml")),
    *read_yaml(Path(__file__).with_name("safety_heldout2.yml")),  # a second helper, longer text
    *read_yaml(Path(__file__).with_name("safety_heldout3.yml")),  # a third, every shape of issue 20
    *read_yaml(Path(__file__).with_name("safety_heldout4.yml")),  # a fourth, no example phrases
    *read_yaml(Path(__file__).with_name("safety_heldout5.yml")),  # a fifth, every section 5 sign
    *read_yaml(Path(__file__).with_name("safety_heldout6.yml")),  # a sixth: dictation, translation
    *read_yaml(Path(__file__).with_name("safety_heldout7.yml")),  # a seventh: babies, text-speak
]
URGENCIES = frozenset({"emergency", "same_day", "routine", "none"})
EMERGENCY_LEAD = "seek emergency care now"
SAME_DAY_WORD = "today"
# Said to nobody: a diagnosis, or that care can wait (section 7).
NEVER_SAID = (
    "safe to skip",
    "safe to wait",
    "it is safe to",
    "it's safe to",
    "no need to see",
    "no need to call",
    "you can wait",
    "wait and see",
    "nothing to worry about",
    "you have leukemia",
    "you have cancer",
    "you have an infection",
    "this is caused by",
)
# "Your white count" for someone else's count.
YOUR_COUNT = re.compile(
    r"\byour (?:white (?:blood )?(?:cell )?count|wbc|anc|absolute neutrophil count)\b",
    re.IGNORECASE,
)
# A count judged against a blood range: "white count of 25 (25,000) is high".
BLOOD_VERDICT = re.compile(r"count of [^.]*\bis (?:critically |borderline |very )?(?:low|high)\b")


def _expected(case: dict[str, Any]) -> set[str]:
    expected = case["urgency"]
    return set(expected) if isinstance(expected, list) else {expected}


def _token(number: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\d.,]){re.escape(number)}(?![\d])")


def test_the_table_is_well_formed() -> None:
    keys = {
        "message",
        "urgency",
        "age_years",
        "temperature",
        "other_specimen",
        "someone_else",
        "counts",
        "must_contain",
        "must_not_contain",
        "known_gap",
    }
    messages = [case["message"] for case in CASES + HELDOUT]
    assert len(messages) == len(set(messages)), "a message is in the tables twice"
    assert len(CASES) >= 300
    assert len(HELDOUT) >= 400
    for case in CASES + HELDOUT:
        assert set(case) <= keys, case
        assert _expected(case) <= URGENCIES, case
        for fragments in ("must_contain", "must_not_contain"):
            assert isinstance(case.get(fragments, []), list), case  # not a string of letters


def _param(case: dict[str, Any], slow: bool = False) -> Any:
    gap = case.get("known_gap")
    marks = [pytest.mark.xfail(reason=gap, strict=True)] if gap else []
    if slow:
        marks.append(pytest.mark.slow)
    return pytest.param(case, id=case["message"][:60], marks=marks)


# The held-out sets (over 1,600 messages, each a whole reply) run in `make pytest` and `make test`;
# `make check`, the quick loop, runs the project's own table.
@pytest.mark.parametrize(
    "case", [_param(case) for case in CASES] + [_param(case, slow=True) for case in HELDOUT]
)
def test_safety_case(case: dict[str, Any]) -> None:
    reply = _reply_json(case["message"], case.get("age_years"))
    texts = [message["text"] for message in reply["messages"]]
    lowered = [text.lower() for text in texts]
    everything = "\n".join(lowered)

    assert texts and all(text.strip() for text in texts), "silent or empty message"
    assert TROUBLE_TEXT not in texts, "the trouble reply"
    urgency = reply["urgency"] or "none"
    assert urgency in _expected(case), f"urgency {urgency}, expected {case['urgency']}"

    if urgency == "emergency":
        assert EMERGENCY_LEAD in lowered[0], "emergency advice is not first"
        assert "doctor today" not in everything, "a same-day line under an emergency lead"
    else:
        assert not texts[0].startswith("⚠️"), "emergency lead without an emergency"
    if urgency == "same_day":
        assert SAME_DAY_WORD in everything, "same-day urgency without 'today'"

    for phrase in NEVER_SAID:
        assert phrase not in everything, f"said {phrase!r}"

    findings = reply["findings"]
    if case.get("other_specimen") and "counts" not in case:
        assert findings == [], "another sample judged as blood"
        assert not BLOOD_VERDICT.search(everything), "a blood verdict for another sample"
    if "counts" in case:
        # Every count listed is read (the latest judged, earlier ones of a series carried with
        # it), and every count judged is listed (a set may list the earlier ones or not).
        typed = [finding["cells_per_ul"] for finding in findings if not finding["computed"]]
        earlier = [cells for finding in findings for cells in finding["earlier_in_message"]]
        assert not Counter(typed) - Counter(case["counts"]), f"judged {typed}"
        assert not Counter(case["counts"]) - Counter(typed + earlier), f"read {typed + earlier}"
    if "temperature" in case:
        temperature = _token(str(case["temperature"]))
        read = [finding["text"] for finding in findings if temperature.search(finding["text"])]
        assert not read, f"temperature read as a count: {read}"
    if case.get("someone_else"):
        assert not YOUR_COUNT.search(everything), "someone else's count worded as 'your'"

    for fragment in case.get("must_contain", []):
        assert fragment.lower() in everything, f"missing {fragment!r}"
    for fragment in case.get("must_not_contain", []):
        assert fragment.lower() not in everything, f"says {fragment!r}"


def test_normal_is_never_said_without_ranges_vary() -> None:
    """Section 7: a value is never called normal without "ranges vary, ask your doctor"."""
    alone = []
    for case in CASES:
        for message in _reply_json(case["message"], case.get("age_years"))["messages"]:
            text = message["text"]
            if re.search(r"\bis normal\b", text) and not re.search(r"\bvary\b|\bdiffer", text):
                alone.append(case["message"])
    assert alone == []
