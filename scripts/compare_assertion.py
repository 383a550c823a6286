"""Compare ways of deciding whether a sign is present now, on the same spans (issue 20).

Each case of the set (default tests/bot/assertion_heldout.yml, written by someone who had not
seen the project's vocabulary or rules) names a message, a sign and whether the sign is present
now in the person asked about. The spans of the sign are found once, by the project's matchers,
and each approach only decides whether one of them is present:

  negex-before   the project's NegEx-style rules as they were before issue 20 (read from git)
  rules          bot/read/assertion.py: clause-bounded negation, hypothetical, past, other sense
  context        medspaCy's ConText with its default rules (negated, hypothetical, historical,
                 family: not present)
  negspacy       negspacy's NegEx with the en_clinical termset (negation only)
  rules+context  present only when both the rules and ConText say so

medspaCy and negspacy are not dependencies of the bot: `make compare-assertion` installs them,
pinned by scripts/compare-assertion.lock, into .cache/compare-assertion and runs this script.
Prints one table (accuracy over the cases whose sign was found, the present signs missed, the
absent signs counted) and a line per status; docs/assertion.md keeps the figures.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import types
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.read.matchers import skip_unused_ml_backends  # noqa: E402

skip_unused_ml_backends()

from spacy.tokens import Doc, Span  # noqa: E402
from spacy.util import filter_spans  # noqa: E402

from bot.read.clinical_context import TREATMENT_LABELS, read_context  # noqa: E402
from bot.read.matchers import (  # noqa: E402
    context_matcher,
    immune_lowering_pattern_spans,
    make_doc,
    matched_spans,
    nlp,
    red_flag_matcher,
    red_flag_pattern_spans,
)
from bot.read.temperature import find_temperatures  # noqa: E402
from bot.yaml_files import read_yaml  # noqa: E402

BASELINE_COMMIT = "4c65083"  # main before issue 20
FEVER_FROM_C = 38.0
# The set's sign names -> the project's red flags (a set names fewer, broader signs).
FLAGS_OF_SIGN = {
    "chills": {"chills", "rigors"},
    "trouble_breathing": {"trouble_breathing", "baby_breathing"},
    "confusion": {"confusion", "hard_to_wake"},
    "severe_pain": {"severe_pain", "sudden_severe_pain"},
    "very_unwell": {"very_unwell", "unwell"},
    "no_urine": {"no_urine", "dehydration"},
}
Decide = Callable[[Doc, Sequence[Span]], bool]


def sign_spans(doc: Doc, sign: str) -> list[Span]:
    """Return the spans that may say the sign.

    Its phrases and patterns, a fever-range temperature for a fever, a treatment's words for cancer
    treatment.
    """
    if sign == "cancer_treatment":
        cues = [*matched_spans(context_matcher(), doc), *immune_lowering_pattern_spans(doc)]
        return [span for span in cues if span.label_ in TREATMENT_LABELS]
    names = FLAGS_OF_SIGN.get(sign, {sign})
    spans = [*matched_spans(red_flag_matcher(), doc), *red_flag_pattern_spans(doc)]
    found = [span for span in spans if span.label_ in names]
    if sign == "fever":
        for temperature in find_temperatures(doc.text):
            if temperature.celsius >= FEVER_FROM_C:
                end = temperature.start + len(temperature.text)
                span = doc.char_span(temperature.start, end, label="fever", alignment_mode="expand")
                if span is not None:
                    found.append(span)
    return found


def by_rules(doc: Doc, spans: Sequence[Span]) -> bool:
    """Tell what the bot concludes of the sign, in the message's clinical context.

    That is the sign's flag, a fever, or treatment, as bot/read/clinical_context.py (with
    bot/read/assertion.py) reads them.
    """
    context = read_context(doc)
    labels = {span.label_ for span in spans}
    if labels & set(TREATMENT_LABELS):
        return context.on_cancer_treatment
    return bool(labels & {flag.name for flag in context.red_flags})


def baseline_rules() -> Decide:
    """The NegEx class of bot/read/clinical_context.py at BASELINE_COMMIT, loaded from git."""
    source = subprocess.run(
        ["git", "show", f"{BASELINE_COMMIT}:bot/read/clinical_context.py"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    module = types.ModuleType("clinical_context_before")
    exec(compile(source, "clinical_context_before.py", "exec"), module.__dict__)

    def decide(doc: Doc, spans: Sequence[Span]) -> bool:
        negation = module._Negation(doc, matched_spans(context_matcher(), doc))
        return any(not negation.negates(span) for span in spans)

    return decide


def _with_entities(doc: Doc, spans: Sequence[Span]) -> Doc:
    from spacy.pipeline import Sentencizer

    fresh = Sentencizer()(make_doc(doc.text))
    fresh.ents = filter_spans([Span(fresh, span.start, span.end, label="SIGN") for span in spans])
    return fresh


def context_approach() -> Decide:
    """Return medspaCy's ConText, with its default rules, as a way to decide a sign is present."""
    from medspacy.context import ConText

    context = ConText(nlp(), rules="default")

    def decide(doc: Doc, spans: Sequence[Span]) -> bool:
        marked = context(_with_entities(doc, spans))
        return any(
            not (
                ent._.is_negated or ent._.is_hypothetical or ent._.is_historical or ent._.is_family
            )
            for ent in marked.ents
        )

    return decide


def negspacy_approach() -> Decide:
    """Return negspacy's NegEx, with its clinical termset, as a way to decide a sign is present."""
    from negspacy.negation import Negex
    from negspacy.termsets import termset

    negex = Negex(
        nlp(),
        "negex",
        neg_termset=termset("en_clinical").get_patterns(),
        ent_types=[],
        extension_name="negex",
        chunk_prefix=[],
    )

    def decide(doc: Doc, spans: Sequence[Span]) -> bool:
        marked = negex(_with_entities(doc, spans))
        return any(not ent._.negex for ent in marked.ents)

    return decide


def layered(first: Decide, second: Decide) -> Decide:
    """Return a decision that holds only when both `first` and `second` say the sign is present."""
    return lambda doc, spans: first(doc, spans) and second(doc, spans)


def approaches() -> dict[str, Decide]:
    """Return every approach that can run here, by name; medspaCy's only when it is installed."""
    found: dict[str, Decide] = {"negex-before": baseline_rules(), "rules": by_rules}
    try:
        found["context"] = context_approach()
        found["negspacy"] = negspacy_approach()
        found["rules+context"] = layered(by_rules, found["context"])
    except ImportError as exc:
        print(f"(medspaCy/negspacy not installed: {exc}; run make compare-assertion)")
    return found


def main(argv: Sequence[str] | None = None) -> int:
    """Print each approach's accuracy on the held-out cases: missed, wrongly counted, per status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=Path, default=ROOT / "tests/bot/assertion_heldout.yml")
    args = parser.parse_args(argv)
    cases: list[dict[str, Any]] = read_yaml(args.cases)
    decide = approaches()
    right: dict[str, Counter[str]] = defaultdict(Counter)
    totals: Counter[str] = Counter()
    missed, counted = Counter[str](), Counter[str]()
    unfound = 0
    for case in cases:
        doc = make_doc(case["message"])
        spans = sign_spans(doc, case["sign"])
        if not spans:
            unfound += 1
            continue
        status = case["status"]
        totals[status] += 1
        for name, approach in decide.items():
            said = approach(doc, spans)
            if said == case["present"]:
                right[name][status] += 1
            elif case["present"]:
                missed[name] += 1
            else:
                counted[name] += 1
    judged = sum(totals.values())
    print(f"{len(cases)} cases; the sign's words were found in {judged} ({unfound} not found)")
    statuses = sorted(totals)
    header = ["approach", "right", "missed present", "counted absent", *statuses]
    print(" | ".join(header))
    for name in decide:
        cells = [
            name,
            f"{sum(right[name].values())}/{judged} ({sum(right[name].values()) / judged:.1%})",
            str(missed[name]),
            str(counted[name]),
            *(f"{right[name][s]}/{totals[s]}" for s in statuses),
        ]
        print(" | ".join(cells))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
