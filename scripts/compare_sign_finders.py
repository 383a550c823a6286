"""Compare two ways of finding an emergency sign in words the vocabulary does not list (issue 20).

  rules      the bot as it is: bot/data/red_flags.yml phrases and patterns, read by the
             spaCy matchers and judged by bot/read/assertion.py (present now, in the person asked
             about), through the same turn `python -m bot reply` uses
  semantic   rules, plus a nearest-meaning finder: every run of 2 to 6 words of the message is
             embedded with WordLlama's static token embeddings (256 dimensions, the
             l2_supercat model in the wordllama wheel: a mean of subword vectors, no network)
             and compared with every emergency_sign phrase of red_flags.yml; a run at or above
             the threshold makes the message an emergency
  semantic, present now
             the same runs, each kept only when it holds no negation cue ("no stiff neck")
             and bot/read/assertion.py finds it present now (not negated in its clause,
             hypothetical, past, or a word in another sense), as the rules do with a phrase

Each safety case names the urgency the clinical reference gives it. The table shows, per
threshold: the emergency cases found, the other cases turned into emergencies (false alarms),
and the cases right in all. Files of other messages (one per line, or a TSV whose first column
is the message) can be added with --negatives: none of them should become an emergency, and
the table counts those that do (no expected urgency is known for them).

WordLlama needs numpy 2 and pydantic 2, which Rasa 3.6's pins rule out, so it is not a
dependency of the bot: `make compare-sign-finders` installs the wheel and `tokenizers` with
--no-deps into .cache/compare-sign-finders (scripts/compare-sign-finders.lock) and this
script reads the tokenizer file and the weights from there itself. docs/assertion.md keeps
the figures.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from spacy.tokens import Doc, Span  # noqa: E402

from bot.__main__ import _reply_json  # noqa: E402
from bot.read.assertion import Assertions  # noqa: E402
from bot.read.matchers import (  # noqa: E402
    context_matcher,
    immune_lowering_pattern_spans,
    make_doc,
    matched_spans,
)
from bot.yaml_files import read_yaml  # noqa: E402

DEFAULT_SETS = sorted((ROOT / "tests" / "bot").glob("safety_heldout*.yml"))
THRESHOLDS = (0.95, 0.9, 0.85, 0.8, 0.75, 0.7)
WINDOW = range(2, 7)  # words per run compared with a sign's phrases
_WORD = re.compile(r"[A-Za-z0-9']+")


@dataclass(frozen=True)
class Embedder:
    """WordLlama's static embeddings: the mean of the text's subword vectors, unit length."""

    tokenizer: Any
    weights: np.ndarray

    @classmethod
    def load(cls, package: Path) -> Embedder:
        """Load WordLlama's tokenizer and its 256-dimension embedding table."""
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(
            str(package / "tokenizers" / "l2_supercat_tokenizer_config.json")
        )
        weights = load_file(str(package / "weights" / "l2_supercat_256.safetensors"))
        return cls(tokenizer, weights["embedding.weight"].astype(np.float32))

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return one unit-length vector per text: the mean of its subword vectors."""
        rows = []
        for encoding in self.tokenizer.encode_batch(list(texts), add_special_tokens=False):
            vector = self.weights[encoding.ids].mean(axis=0)
            rows.append(vector / (np.linalg.norm(vector) or 1.0))
        return np.array(rows, dtype=np.float32).reshape(len(rows), -1)


def sign_phrases() -> list[tuple[str, str]]:
    """(sign, phrase) for every emergency sign's listed phrases."""
    flags = read_yaml(ROOT / "bot" / "data" / "red_flags.yml")
    return [
        (flag["name"], phrase)
        for flag in flags
        if flag["kind"] == "emergency_sign"
        for phrase in flag.get("phrases", [])
    ]


def runs(doc: Doc) -> list[Span]:
    """Every run of 2 to 6 tokens that starts and ends on a word."""
    words = [token.i for token in doc if _WORD.fullmatch(token.text)]
    return [
        doc[start : start + size]
        for start in words
        for size in WINDOW
        if start + size <= len(doc) and _WORD.fullmatch(doc[start + size - 1].text)
    ]


def nearest(
    embedder: Embedder, prototypes: np.ndarray, names: list[str], text: str
) -> tuple[tuple[float, str, str], tuple[float, str, str]]:
    """Return the closest sign phrase to any run of the message, and to any run present now.

    Each as (similarity, sign, run).
    """
    doc = make_doc(text)
    spans = runs(doc)
    if not spans:
        return (0.0, "", ""), (0.0, "", "")
    similarity = embedder.embed([span.text.lower() for span in spans]) @ prototypes.T
    best_sign = similarity.argmax(axis=1)
    best = similarity.max(axis=1)
    labelled = [
        Span(doc, span.start, span.end, label=names[int(sign)])
        for span, sign in zip(spans, best_sign, strict=True)
    ]
    cues = [*matched_spans(context_matcher(), doc), *immune_lowering_pattern_spans(doc)]
    assertions = Assertions(doc, cues, labelled)
    cue_tokens = {i for cue in cues for i in range(cue.start, cue.end)}
    order = np.argsort(-best)
    top = int(order[0])
    anywhere = (float(best[top]), labelled[top].label_, labelled[top].text)
    present = (0.0, "", "")
    for index in order[:50]:  # the 50 closest runs: enough to pass those ruled out
        span = labelled[int(index)]
        holds_a_cue = any(i in cue_tokens for i in range(span.start, span.end))
        if not holds_a_cue and assertions.present(span):
            present = (float(best[int(index)]), span.label_, span.text)
            break
    return anywhere, present


def expected(case: dict[str, Any]) -> set[str]:
    """Return the urgencies a case accepts (one, or a list of them)."""
    urgency = case["urgency"]
    return set(urgency) if isinstance(urgency, list) else {urgency}


def negatives(paths: Sequence[Path]) -> list[str]:
    """Return the messages of tab-separated files, without comments and the header line."""
    messages = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            message = line.split("\t")[0].strip()
            if message and not message.startswith("#") and message.lower() != "message":
                messages.append(message)
    return messages


def main(argv: Sequence[str] | None = None) -> int:
    """Print how the rules, alone and with nearest-meaning matches, find the emergency signs.

    Per finder and threshold: emergencies found, false alarms, cases right, and other messages
    made emergencies.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--libs", type=Path, default=ROOT / ".cache" / "compare-sign-finders")
    parser.add_argument("--sets", type=Path, nargs="*", default=DEFAULT_SETS)
    parser.add_argument("--negatives", type=Path, nargs="*", default=[])
    parser.add_argument("--show", type=float, default=0.0, help="list the cases at this threshold")
    args = parser.parse_args(argv)

    embedder = Embedder.load(args.libs / "wordllama")
    pairs = sign_phrases()
    prototypes = embedder.embed([phrase for _, phrase in pairs])
    names = [name for name, _ in pairs]

    rows = []
    for path in args.sets:
        for case in read_yaml(path):
            urgency = _reply_json(case["message"], case.get("age_years"))["urgency"] or "none"
            near = nearest(embedder, prototypes, names, case["message"])
            rows.append((path.name, case, urgency, near))
    others = [
        (message, nearest(embedder, prototypes, names, message))
        for message in negatives(args.negatives)
    ]
    other_urgency = [(_reply_json(message, None)["urgency"] or "none") for message, _ in others]

    print(
        f"{len(rows)} safety cases ({', '.join(p.name for p in args.sets)}); "
        f"{len(others)} other messages"
    )
    print(
        "| finder | threshold | emergencies found | false alarms | cases right | "
        "other messages made emergencies |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    emergencies = [row for row in rows if "emergency" in expected(row[1])]
    calm = [row for row in rows if "emergency" not in expected(row[1])]

    def line(label: str, threshold: float | None, which: int = 0) -> None:
        def judged(urgency: str, nears: tuple[tuple[float, str, str], ...]) -> str:
            if threshold is not None and nears[which][0] >= threshold:
                return "emergency"
            return urgency

        found = sum(judged(u, n) == "emergency" for _, _, u, n in emergencies)
        alarms = sum(judged(u, n) == "emergency" for _, _, u, n in calm)
        right = sum(judged(u, n) in expected(c) for _, c, u, n in rows)
        pairs = zip(other_urgency, others, strict=True)
        other = sum(judged(u, n) == "emergency" for u, (_, n) in pairs)
        shown = "-" if threshold is None else f"{threshold:.2f}"
        print(
            f"| {label} | {shown} | {found}/{len(emergencies)} | {alarms}/{len(calm)} | "
            f"{right}/{len(rows)} | {other}/{len(others)} |"
        )

    line("rules", None)
    for threshold in THRESHOLDS:
        line("rules + semantic", threshold)
    for threshold in THRESHOLDS:
        line("rules + semantic, present now", threshold, which=1)

    if args.show:
        print(f"\nCases the semantic finder changes at {args.show}:")
        for name, case, urgency, (_, near) in rows:
            if near[0] >= args.show and urgency != "emergency":
                verdict = "right" if "emergency" in expected(case) else "FALSE ALARM"
                print(f"  {verdict}: {near[0]:.2f} {near[1]} <- {near[2]!r} ({name})")
        for _, (_, near) in others:
            if near[0] >= args.show:
                print(f"  other message: {near[0]:.2f} {near[1]} <- {near[2]!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
