"""The realistic corpus (tests/corpus/): big and realistic enough, and validly labelled.

Its held-out part is really held out, near-copies included.
"""

from __future__ import annotations

import importlib.util
import re
import statistics
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

from bot.yaml_files import read_yaml

ROOT = Path(__file__).resolve().parent.parent
NLU_DIR = ROOT / "data" / "nlu"
EXPORTED = NLU_DIR / "corpus.yml"

QUESTION_TYPES = (
    "ask_what_is_leukopenia",
    "ask_causes",
    "ask_symptoms",
    "ask_diagnosis",
    "ask_treatment",
    "ask_prevention",
    "ask_when_to_see_doctor",
    "ask_normal_range",
    "ask_lab_error",
    "ask_outlook",
    "ask_cancer_link",
)
READING_TYPES = ("inform_wbc_value", "report_symptom")
MIN_MESSAGES = 450
MIN_HELD_OUT = 175
MIN_PER_QUESTION_TYPE = 8  # in each part
MIN_MEDIAN_WORDS = 18
MIN_SHARE_OVER_25_WORDS = 0.30
MIN_SHARE_SEVERAL_SENTENCES = 0.5
MAX_TRIGRAM_JACCARD = 0.6
ENTITY = re.compile(r"\[([^\]]+)\]\([^)]+\)")  # [3.2](wbc_value) -> 3.2
SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
WORD = re.compile(r"\w+")


def _load_script() -> ModuleType:
    path = ROOT / "scripts" / "evaluate_corpus.py"
    spec = importlib.util.spec_from_file_location("evaluate_corpus", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


CORPUS = _load_script()
HELD_OUT = CORPUS.load_corpus(CORPUS.HELD_OUT)
TRAINING = CORPUS.load_corpus(CORPUS.TRAINING)
EVERY = [*HELD_OUT, *TRAINING]


def _words(text: str) -> int:
    return len(text.split())


def _sentences(text: str) -> int:
    return len([s for s in SENTENCE_END.split(text) if s.strip()])


def _normalized(text: str) -> str:
    return " ".join(WORD.findall(ENTITY.sub(r"\1", text).casefold()))


def _trigrams(text: str) -> frozenset[tuple[str, ...]]:
    words = _normalized(text).split()
    return frozenset(zip(words, words[1:], words[2:], strict=False))


def _training_examples() -> list[str]:
    """Every NLU training example in data/nlu/ (entity markup removed)."""
    examples = []
    for path in sorted(NLU_DIR.glob("*.yml")):
        for item in read_yaml(path).get("nlu", []):
            for line in str(item.get("examples", "")).splitlines():
                if line.strip().startswith("- "):
                    examples.append(line.strip()[2:].strip())
    return examples


def test_sizes() -> None:
    """At least 450 messages, 175 of them held out, every question type in both parts."""
    assert len(EVERY) >= MIN_MESSAGES
    assert len(HELD_OUT) >= MIN_HELD_OUT
    for part in (HELD_OUT, TRAINING):
        counts = Counter(entry.question_type for entry in part)
        for question_type in (*QUESTION_TYPES, *READING_TYPES):
            assert counts[question_type] >= MIN_PER_QUESTION_TYPE, question_type
        assert any(entry.specimen for entry in part), "no message about another sample"
        assert {entry.subject for entry in part} == set(CORPUS.SUBJECTS)


def test_word_statistics() -> None:
    """Real messages are long: median 18+ words, 30 %+ over 25 words, most several sentences.

    The held-out part alone too.
    """
    for part in (EVERY, HELD_OUT):
        words = [_words(entry.text) for entry in part]
        assert statistics.median(words) >= MIN_MEDIAN_WORDS
        assert sum(w > 25 for w in words) / len(words) >= MIN_SHARE_OVER_25_WORDS
        several = sum(_sentences(entry.text) >= 2 for entry in part) / len(part)
        assert several >= MIN_SHARE_SEVERAL_SENTENCES


def test_styles_of_real_messages() -> None:
    """Second-hand questions, indirect questions, pasted lab lines, chemotherapy diaries."""
    texts = [entry.text for entry in EVERY]

    def share(pattern: str) -> int:
        return sum(bool(re.search(pattern, text, re.IGNORECASE)) for text in texts)

    assert share(r"\b(my|our) (husband|wife|son|daughter|mum|mom|dad|father|mother|baby)") >= 80
    indirect = r"i'?d like to (understand|know)|do i need to worry|would it make sense"
    assert share(indirect) >= 20
    analyte = r"\b(wbc|anc|tlc|leu[ck]oc\w*|neutrophils(?: absolute)?|total leucocyte count)\b"
    flag = r"(\(|l\b|h\b|x10|k/|g/l|/cumm|\||flagged|,\s*(rbc|hgb|hb|plt|anc|platelets))"
    assert share(analyte + r"\W{0,3}[\d.,]+\s*" + flag) >= 20  # lab lines pasted
    assert share(r"chemo diary|cycle \d+,? day \d+|day \d+ (after|post) chemo") >= 8


def test_labels_are_valid() -> None:
    """Known intents, subjects and urgencies; counts in range; unique ids and texts."""
    assert CORPUS.label_problems(EVERY, CORPUS.domain_intents()) == []
    ids = Counter(entry.id for entry in EVERY)
    assert [i for i, n in ids.items() if n > 1] == []
    texts = Counter(_normalized(entry.text) for entry in EVERY)
    assert [t for t, n in texts.items() if n > 1] == []


def test_urgency_labels_follow_the_triage_rules() -> None:
    """Urgency labels follow the triage rules.

    An emergency names a fever, a temperature or a sign; a count under 500 is never routine.
    """
    sign = re.compile(
        r"fever|temp|hot|shiver|shak|chill|confus|faint|passed out|breath|seizure|stiff|"
        r"unwell|drowsy|hard to wake|chest pain",
        re.IGNORECASE,
    )
    for entry in EVERY:
        if entry.urgency == "emergency":
            assert sign.search(entry.text), entry.id
    # A count under 500 is critically low whether it is a WBC or an ANC.
    critical = [entry.id for entry in EVERY if any(value < 500 for value in entry.values)]
    assert critical
    assert [i for i in critical if next(e for e in EVERY if e.id == i).urgency == "routine"] == []


def test_no_held_out_message_is_trained_on() -> None:
    """No held-out message is trained on, nor a near-copy of one.

    A near-copy has a word-trigram Jaccard above 0.6, against data/nlu/ and the corpus's own
    training part.
    """
    training = [*_training_examples(), *(entry.text for entry in TRAINING)]
    exact = {_normalized(text) for text in training}
    index: dict[tuple[str, ...], list[int]] = {}
    grams = [_trigrams(text) for text in training]
    for number, trigrams in enumerate(grams):
        for trigram in trigrams:
            index.setdefault(trigram, []).append(number)
    leaks = []
    for entry in HELD_OUT:
        if _normalized(entry.text) in exact:
            leaks.append(f"{entry.id}: copy")
            continue
        mine = _trigrams(entry.text)
        candidates = {number for trigram in mine for number in index.get(trigram, ())}
        for number in candidates:
            jaccard = len(mine & grams[number]) / len(mine | grams[number])
            if jaccard > MAX_TRIGRAM_JACCARD:
                leaks.append(f"{entry.id}: near-copy ({jaccard:.2f}) of {training[number]!r}")
    assert leaks == []


def test_training_part_is_exported_to_the_nlu_data() -> None:
    """data/nlu/corpus.yml is the training part, as written by --write-training."""
    assert EXPORTED.read_text(encoding="utf-8") == CORPUS.training_nlu_yaml(TRAINING)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("what is it", "what is it"),
        ("My mum's  WBC is 3.2", "my mum s wbc is 3 2"),
        ("WBC [3.2](wbc_value) low", "wbc 3 2 low"),
    ],
)
def test_normalized(text: str, expected: str) -> None:
    assert _normalized(text) == expected
