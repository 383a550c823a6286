"""Fail when intent classification on the held-out NLU test set falls below a threshold.

`rasa test nlu` only writes a report; this turns its intent_report.json into a pass/fail.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

# Keys in Rasa's intent report that are summaries, not intents.
SUMMARY_KEYS = {"accuracy", "macro avg", "weighted avg", "micro avg"}


def main(argv: list[str] | None = None) -> int:
    """Print per-intent F1 from the report and return 1 if any is below the threshold."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("report", type=Path, help="path to results/nlu/intent_report.json")
    parser.add_argument("--min-f1", type=float, default=0.85, help="lowest F1 allowed per intent")
    args = parser.parse_args(argv)

    report = json.loads(args.report.read_text(encoding="utf-8"))
    failing = []
    for intent, scores in sorted(report.items()):
        if intent in SUMMARY_KEYS or not isinstance(scores, dict):
            continue
        f1 = float(scores["f1-score"])
        print(f"{intent:<24} f1={f1:.3f} support={scores['support']}")
        if f1 < args.min_f1:
            failing.append(intent)
    if failing:
        print(f"F1 below {args.min_f1} for: {', '.join(failing)}", file=sys.stderr)
        return 1
    print(f"All intents have F1 >= {args.min_f1}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
