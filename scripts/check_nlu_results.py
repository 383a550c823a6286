"""Print the held-out NLU figures and fail when intent macro-F1 falls below the threshold.

`rasa test nlu` only writes reports; this prints intent accuracy, macro-F1 and the per-intent
F1, then the entity F1 of the value entities (wbc_value, anc_value, temperature) from the
entity extractor's report, and turns the intent macro-F1 into a pass/fail.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

# Keys in Rasa's reports that are summaries, not labels.
SUMMARY_KEYS = {"accuracy", "macro avg", "weighted avg", "micro avg"}
VALUE_ENTITIES = ("wbc_value", "anc_value", "temperature")
ENTITY_REPORT = "WbcEntityExtractor_report.json"


def main(argv: list[str] | None = None) -> int:
    """Print the figures; return 1 if intent macro-F1 is below --min-macro-f1."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("results", type=Path, help="the results/nlu folder of rasa test nlu")
    parser.add_argument("--min-macro-f1", type=float, default=0.92)
    args = parser.parse_args(argv)

    report = json.loads((args.results / "intent_report.json").read_text(encoding="utf-8"))
    for intent, scores in sorted(report.items()):
        if intent not in SUMMARY_KEYS and isinstance(scores, dict):
            print(f"  {intent:<26} f1={scores['f1-score']:.3f} support={scores['support']}")
    accuracy = float(report["accuracy"])
    macro_f1 = float(report["macro avg"]["f1-score"])
    print(f"intent accuracy {accuracy:.3f}, macro-F1 {macro_f1:.3f}")

    entity_path = args.results / ENTITY_REPORT
    if entity_path.exists():
        entities = json.loads(entity_path.read_text(encoding="utf-8"))
        for name in VALUE_ENTITIES:
            if name in entities:
                scores = entities[name]
                print(
                    f"entity {name:<12} f1={scores['f1-score']:.3f} "
                    f"precision={scores['precision']:.3f} recall={scores['recall']:.3f} "
                    f"support={scores['support']}"
                )
    if macro_f1 < args.min_macro_f1:
        print(f"intent macro-F1 {macro_f1:.3f} is below {args.min_macro_f1}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
