"""End-to-end evaluation on the realistic held-out corpus (tests/corpus/heldout.yml).

Each message goes through the trained model in-process (Rasa's Agent, as the server parses it),
then through the real answer code (bot.reply.dialogue.respond with the intent found). Printed:

- question type: accuracy and macro-F1 of the intent;
- subject: accuracy and macro-F1 of the `subject` entity (components/subject_entities.py);
- value recall: labelled counts (cells/µL) read back among the reply's findings;
- urgency: agreement with the label, and emergencies caught;
- fully right: the right answer chosen (the answer to the labelled question type for the
  labelled subject, or for
  inform/report_symptom the values read back and the urgency right, or for a sample that is not
  blood the note that only blood counts are explained), every value read back, emergency advice
  when due, and every medical message with a source link and the disclaimer.

Exit status 1 when the fully-right rate is below --min-fully-right.

    python scripts/evaluate_corpus.py [--model models/wbc.tar.gz] [--min-fully-right 0.85]
        [--failures] [--json results/corpus.json]
    python scripts/evaluate_corpus.py --write-training data/nlu/corpus.yml
        (writes the training part, tests/corpus/train.yml, as Rasa NLU data)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.yaml_files import read_yaml

ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = ROOT / "tests" / "corpus"
HELD_OUT = CORPUS_DIR / "heldout.yml"
TRAINING = CORPUS_DIR / "train.yml"
DOMAIN = ROOT / "domain.yml"
DEFAULT_MODEL = ROOT / "models" / "wbc.tar.gz"

SUBJECTS = ("leukopenia", "neutropenia", "chemotherapy", "children", "high_count")
URGENCIES = ("emergency", "same_day", "routine")
FIELDS = ("id", "text", "question_type", "subject", "values", "urgency")
OPTIONAL_FIELDS = ("specimen",)
TOPIC_PREFIX = "ask_"
# Intents answered by reading what the message gave (counts, symptoms), not by a topic answer.
READING_INTENTS = frozenset({"inform_wbc_value", "inform", "report_symptom"})
# Subject-only intents are answered with the subject's own topic (ask_neutropenia -> neutropenia).
VALUE_TOLERANCE = 0.005  # a count read back within 0.5 % of the label is the same count
SUBJECT_ENTITY = "subject"
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
TRAINING_HEADER = (
    'version: "3.1"\n\n'
    "# Generated from tests/corpus/train.yml (the training part of the realistic corpus) by\n"
    "# `python scripts/evaluate_corpus.py --write-training data/nlu/corpus.yml`; do not edit.\n"
    "# Line breaks inside a message are written as spaces.\n"
    "nlu:\n"
)


@dataclass(frozen=True)
class Entry:
    """One labelled message of the corpus."""

    id: str
    text: str
    question_type: str
    subject: str
    values: tuple[int, ...]
    urgency: str
    specimen: str | None = None


def load_corpus(path: Path) -> list[Entry]:
    """The entries of one corpus file (raises ValueError on a malformed entry)."""
    raw = read_yaml(path)
    if not isinstance(raw, list):
        raise ValueError(f"{path}: expected a list of messages")
    entries = []
    for item in raw:
        if not isinstance(item, dict) or set(FIELDS) - set(item):
            raise ValueError(f"{path}: entry without {FIELDS}: {item!r}")
        unknown = set(item) - set(FIELDS) - set(OPTIONAL_FIELDS)
        if unknown:
            raise ValueError(f"{path}: {item['id']}: unknown fields {sorted(unknown)}")
        entries.append(
            Entry(
                id=str(item["id"]),
                text=str(item["text"]),
                question_type=str(item["question_type"]),
                subject=str(item["subject"]),
                values=tuple(int(v) for v in item["values"] or ()),
                urgency=str(item["urgency"]),
                specimen=item.get("specimen"),
            )
        )
    return entries


def domain_intents(domain: Path = DOMAIN) -> set[str]:
    """The intents the bot knows (domain.yml)."""
    raw = read_yaml(domain)
    return {next(iter(i)) if isinstance(i, dict) else str(i) for i in raw["intents"]}


def label_problems(entries: Iterable[Entry], intents: set[str]) -> list[str]:
    """Every label that is not valid, as 'id: problem'."""
    from bot.read.specimens import specimen_named_by

    problems = []
    for entry in entries:
        where = f"{entry.id}:"
        if not entry.text.strip():
            problems.append(f"{where} empty text")
        if entry.question_type not in intents:
            problems.append(f"{where} unknown question type {entry.question_type}")
        if entry.subject not in SUBJECTS:
            problems.append(f"{where} unknown subject {entry.subject}")
        if entry.urgency not in URGENCIES:
            problems.append(f"{where} unknown urgency {entry.urgency}")
        if any(not 0 <= value <= 1_000_000 for value in entry.values):
            problems.append(f"{where} value out of range {entry.values}")
        if entry.specimen is not None:
            try:
                specimen_named_by(entry.specimen)
            except KeyError:
                problems.append(f"{where} unknown specimen {entry.specimen}")
            if entry.values:
                problems.append(f"{where} a sample that is not blood has no blood counts")
    return problems


def training_nlu_yaml(entries: Sequence[Entry]) -> str:
    """The entries as Rasa NLU training data, grouped by intent in first-seen order."""
    by_intent: dict[str, list[str]] = {}
    for entry in entries:
        by_intent.setdefault(entry.question_type, []).append(" ".join(entry.text.split()))
    blocks = []
    for intent, texts in by_intent.items():
        lines = "\n".join(f"      - {text}" for text in texts)
        blocks.append(f"  - intent: {intent}\n    examples: |\n{lines}\n")
    return TRAINING_HEADER + "\n".join(blocks)


# --- scoring ----------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What happened to one held-out message."""

    entry: Entry
    intent: str
    confidence: float
    subject: str | None
    values_read: tuple[float, ...]
    urgency: str
    right_answer: bool
    sourced: bool
    failures: list[str] = field(default_factory=list)

    @property
    def values_ok(self) -> bool:
        """Whether every count the entry gives was read."""
        return all(_read(value, self.values_read) for value in self.entry.values)

    @property
    def emergency_ok(self) -> bool:
        """Whether an emergency in the entry got emergency advice."""
        return self.entry.urgency != "emergency" or self.urgency == "emergency"

    @property
    def fully_right(self) -> bool:
        """Whether the right answer came, with counts read, emergency advice and sources."""
        return self.right_answer and self.values_ok and self.emergency_ok and self.sourced


def _read(value: int, found: Sequence[float]) -> bool:
    return any(abs(cells - value) <= VALUE_TOLERANCE * max(value, 1) for cells in found)


def expected_texts(entry: Entry) -> list[str]:
    """The answer texts any one of which means the labelled question was answered."""
    from bot.reply.content import causes, topic_answer, topics

    if entry.specimen is not None:
        return [specimen_text(entry.specimen)]
    if not entry.question_type.startswith(TOPIC_PREFIX):
        return []
    topic = entry.question_type[len(TOPIC_PREFIX) :]
    if topic not in topics():
        return []
    texts = [topic_answer(topic, subject=entry.subject).text]
    if topic == "causes":  # a named cause is answered with that cause's own entry
        texts += [topic_answer(topic, cause).text for cause in causes()]
    return texts


def specimen_text(name: str) -> str:
    """What the bot says about white cells in a sample that is not blood (bot.reply.replies)."""
    from bot.reply.replies import specimen_answer

    return str(specimen_answer(name).text)


def said(answer: str, reply_text: str) -> bool:
    """Tell whether every sentence of `answer` is in the reply.

    A reply says no sentence twice, so a sentence an earlier part already said is not repeated in
    the answer.
    """
    sentences = [s.strip() for s in SENTENCE_END.split(answer) if s.strip()]
    return bool(sentences) and all(sentence in reply_text for sentence in sentences)


def judge(entry: Entry, intent: str, confidence: float, subject: str | None) -> Outcome:
    """Answer the message with the real code and judge the reply."""
    from bot.judge.conversation import ConversationState
    from bot.reply.dialogue import respond
    from bot.reply.replies import disclaimer

    reply = respond(ConversationState(), entry.text, intent)
    findings = reply.interpretation.findings if reply.interpretation is not None else ()
    values_read = tuple(f.cells_per_ul for f in findings if f.cells_per_ul is not None)
    urgency = reply.urgency.value if reply.urgency is not None else "routine"
    texts = [message.text for message in reply.messages if message.text]
    expected = expected_texts(entry)
    if expected:
        right = any(said(answer, "\n".join(texts)) for answer in expected)
    elif entry.question_type in READING_INTENTS:
        read = all(_read(value, values_read) for value in entry.values)
        right = intent == entry.question_type and read and urgency == entry.urgency
    else:
        right = intent == entry.question_type
    medical = bool(expected) or bool(entry.values) or entry.urgency != "routine"
    # Every text of ours is medical and links its sources; the disclaimer that fits the
    # urgency ends the reply's medical part once.
    sourced = all("http" in text for text in texts) and (
        disclaimer(reply.interpretation) in "\n".join(texts) if texts else not medical
    )
    outcome = Outcome(entry, intent, confidence, subject, values_read, urgency, right, sourced)
    if intent != entry.question_type:
        outcome.failures.append(f"intent {intent}")
    elif not right:
        outcome.failures.append("answer")
    if not outcome.values_ok:
        outcome.failures.append("values")
    if not outcome.emergency_ok:
        outcome.failures.append("emergency missed")
    if not sourced:
        outcome.failures.append("sources")
    return outcome


@dataclass(frozen=True)
class Scores:
    """The figures of one evaluation."""

    messages: int
    intent_accuracy: float
    intent_macro_f1: float
    subject_accuracy: float | None
    subject_macro_f1: float | None
    value_recall: float
    values_labelled: int
    urgency_agreement: float
    emergencies: int
    emergencies_caught: int
    over_triaged: int
    right_answer: float
    sourced: float
    fully_right: float
    seconds: float
    per_intent_f1: dict[str, float]


def score(outcomes: Sequence[Outcome], seconds: float = 0.0) -> Scores:
    """Accuracy, macro-F1 and the end-to-end rates of a list of outcomes."""
    from sklearn.metrics import f1_score

    n = len(outcomes)
    truth = [o.entry.question_type for o in outcomes]
    predicted = [o.intent for o in outcomes]
    # Macro-F1 over the question types of the held-out set (a prediction of any other intent,
    # nlu_fallback included, is an error of the true type's recall).
    labels = sorted(set(truth))
    per_label = f1_score(truth, predicted, labels=labels, average=None, zero_division=0)
    subjects = [o for o in outcomes if o.subject is not None]
    labelled = [(value, o) for o in outcomes for value in o.entry.values]
    urgency_order = {name: rank for rank, name in enumerate(reversed(URGENCIES))}
    return Scores(
        messages=n,
        intent_accuracy=sum(t == p for t, p in zip(truth, predicted, strict=True)) / n,
        intent_macro_f1=float(sum(per_label) / len(labels)),
        subject_accuracy=(
            sum(o.subject == o.entry.subject for o in outcomes) / n if subjects else None
        ),
        subject_macro_f1=(
            float(
                f1_score(
                    [o.entry.subject for o in outcomes],
                    [str(o.subject) for o in outcomes],
                    labels=list(SUBJECTS),
                    average="macro",
                    zero_division=0,
                )
            )
            if subjects
            else None
        ),
        value_recall=(
            sum(_read(v, o.values_read) for v, o in labelled) / len(labelled) if labelled else 1.0
        ),
        values_labelled=len(labelled),
        urgency_agreement=sum(o.urgency == o.entry.urgency for o in outcomes) / n,
        emergencies=sum(o.entry.urgency == "emergency" for o in outcomes),
        emergencies_caught=sum(
            o.entry.urgency == "emergency" and o.urgency == "emergency" for o in outcomes
        ),
        over_triaged=sum(
            urgency_order[o.urgency] > urgency_order[o.entry.urgency] for o in outcomes
        ),
        right_answer=sum(o.right_answer for o in outcomes) / n,
        sourced=sum(o.sourced for o in outcomes) / n,
        fully_right=sum(o.fully_right for o in outcomes) / n,
        seconds=seconds,
        per_intent_f1={label: float(f1) for label, f1 in zip(labels, per_label, strict=True)},
    )


def report(scores: Scores, title: str) -> str:
    """The short table printed for people and CI logs."""
    subject = (
        f"{scores.subject_accuracy:.3f} (macro-F1 {scores.subject_macro_f1:.3f})"
        if scores.subject_accuracy is not None and scores.subject_macro_f1 is not None
        else "not modelled"
    )
    rows = [
        ("question type accuracy", f"{scores.intent_accuracy:.3f}"),
        ("question type macro-F1", f"{scores.intent_macro_f1:.3f}"),
        ("subject accuracy", subject),
        ("value recall", f"{scores.value_recall:.3f} of {scores.values_labelled} counts"),
        ("urgency agreement", f"{scores.urgency_agreement:.3f}"),
        (
            "emergencies caught",
            f"{scores.emergencies_caught}/{scores.emergencies} "
            f"({scores.over_triaged} messages over-triaged)",
        ),
        ("right answer chosen", f"{scores.right_answer:.3f}"),
        ("sources and disclaimer", f"{scores.sourced:.3f}"),
        ("fully right", f"{scores.fully_right:.3f}"),
    ]
    width = max(len(name) for name, _ in rows)
    lines = [f"{title} ({scores.messages} messages, {scores.seconds:.0f} s)"]
    lines += [f"  {name:<{width}}  {value}" for name, value in rows]
    return "\n".join(lines)


def failure_lines(outcomes: Sequence[Outcome]) -> list[str]:
    """One line per message that is not fully right: id, what failed, the text's start."""
    lines = []
    for outcome in outcomes:
        if outcome.fully_right:
            continue
        text = " ".join(outcome.entry.text.split())
        lines.append(
            f"  {outcome.entry.id:<16} {', '.join(outcome.failures) or 'answer':<32} "
            f"(want {outcome.entry.question_type}, {outcome.entry.urgency}, "
            f"values {list(outcome.entry.values)}; read {[round(v) for v in outcome.values_read]}, "
            f"{outcome.urgency}) {text[:90]}"
        )
    return lines


async def parse_all(model: Path, texts: Sequence[str]) -> list[dict[str, Any]]:
    """The model's parse of each text, loaded once in-process as the Rasa server does."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    return [await agent.parse_message(text) for text in texts]


def subject_of(parse: dict[str, Any]) -> str | None:
    """The `subject` entity of a parse, if the model gives one."""
    for entity in parse.get("entities") or ():
        if entity.get("entity") == SUBJECT_ENTITY:
            return str(entity.get("value"))
    return None


def evaluate(model: Path, corpus: Path) -> tuple[Scores, list[Outcome]]:
    """Parse and answer every message of `corpus` with `model`."""
    entries = load_corpus(corpus)
    started = time.perf_counter()
    parses = asyncio.run(parse_all(model, [entry.text for entry in entries]))
    outcomes = []
    for entry, parse in zip(entries, parses, strict=True):
        intent = parse.get("intent") or {}
        outcomes.append(
            judge(
                entry,
                str(intent.get("name") or "nlu_fallback"),
                float(intent.get("confidence") or 0.0),
                subject_of(parse),
            )
        )
    return score(outcomes, time.perf_counter() - started), outcomes


def quiet_rasa() -> None:
    """Rasa and TensorFlow log pages at start-up; only our table matters here."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    logging.basicConfig(level=logging.ERROR)
    for name in ("rasa", "tensorflow", "absl", "bot"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    import structlog  # Rasa's own log lines ("processor.message.parse") go through structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.ERROR))


def main(argv: Sequence[str] | None = None) -> int:
    """Evaluate (or export the training part); returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--corpus", type=Path, default=HELD_OUT)
    parser.add_argument("--min-fully-right", type=float, default=0.0)
    parser.add_argument("--failures", action="store_true", help="list the messages not fully right")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--write-training", type=Path, metavar="PATH")
    args = parser.parse_args(argv)

    if args.write_training is not None:
        entries = load_corpus(TRAINING)
        args.write_training.write_text(training_nlu_yaml(entries), encoding="utf-8")
        print(f"wrote {len(entries)} training messages to {args.write_training}")
        return 0

    quiet_rasa()
    scores, outcomes = evaluate(args.model, args.corpus)
    print(report(scores, f"Realistic held-out set {args.corpus.relative_to(ROOT)}"))
    if args.failures:
        print("Not fully right:")
        print("\n".join(failure_lines(outcomes)))
        causes = Counter(f.split(" ")[0] for o in outcomes for f in o.failures)
        print("  by cause: " + ", ".join(f"{k} {v}" for k, v in causes.most_common()))
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        figures = {**scores.__dict__, "model": str(args.model)}
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    if scores.fully_right < args.min_fully_right:
        print(
            f"fully right {scores.fully_right:.3f} is below {args.min_fully_right}",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
