"""Benchmark of the interpreter: interpretations per second on one core, spaCy loaded once.

Prints the median of several rounds for short chat messages and for 40-line lab reports, next to
a baseline measured in the same run: spaCy's blank tokenizer alone on the same texts (the floor
no spaCy-based reader can beat). Target: at least 2,000 short messages per second.

    .venv/bin/python scripts/bench_interpret.py [--rounds N] [--seconds S]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence

for _backend in ("tensorflow", "torch", "cupy", "mxnet"):  # thinc probes for these; not needed
    sys.modules.setdefault(_backend, None)  # type: ignore[arg-type]

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bot import interpret_text  # noqa: E402
from bot.read.matchers import make_doc  # noqa: E402

SHORT_MESSAGES = [
    "my wbc is 3,200, is that bad?",
    "wbc 2.9 and I have a fever",
    "what causes a low white count?",
    "WBC 2.9 L 4.0-11.0 x10^3/uL",
    "My 3 year old had the flu and her WBC was 4,500, should I be concerned?",
    "ANC 800 on chemo, no fever or chills",
    "Leukozyten 3,2 G/l (4,0-10,0)",
    "TLC 3200 cells/cumm",
    "temp 38.6 and my counts are low",
    "I'm 34, wbc 4.2, neutrophils 45%",
    "counts too low for chemo today",
    "I'm confused about what this means, wbc 3.8",
]

REPORT_LINES = [
    "COMPLETE BLOOD COUNT WITH DIFFERENTIAL      Result  Flag  Reference     Units",
    "WBC                                          2.9     L     4.0-11.0      x10^3/uL",
    "RBC                                          4.10    L     4.20-5.40     x10^6/uL",
    "Hemoglobin                                   12.1    L     12.5-16.0     g/dL",
    "Hematocrit                                   36.0          36.0-46.0     %",
    "MCV                                          88            80-100        fL",
    "MCH                                          29.5          27.0-33.0     pg",
    "MCHC                                         33.6          32.0-36.0     g/dL",
    "RDW                                          13.1          11.5-14.5     %",
    "Platelets                                    140     L     150-400       x10^3/uL",
    "MPV                                          10.2          7.5-11.5      fL",
    "Neutrophils                                  38      L     40-75         %",
    "Lymphocytes                                  50      H     20-45         %",
    "Monocytes                                    9             2-10          %",
    "Eosinophils                                  2             1-6           %",
    "Basophils                                    1             0-2           %",
    "Neutrophils, Absolute                        1.1     L     1.8-7.7       x10^3/uL",
    "Lymphocytes, Absolute                        1.5           1.0-4.8       x10^3/uL",
    "Monocytes, Absolute                          0.3           0.2-1.0       x10^3/uL",
    "Eosinophils, Absolute                        0.1           0.0-0.5       x10^3/uL",
    "Basophils, Absolute                          0.0           0.0-0.2       x10^3/uL",
    "Immature Granulocytes                        0             0-1           %",
    "Nucleated RBC                                0             0             /100 WBC",
    "Sodium                                       139           135-145       mmol/L",
    "Potassium                                    4.1           3.5-5.1       mmol/L",
    "Chloride                                     102           98-107        mmol/L",
    "CO2                                          25            22-29         mmol/L",
    "BUN                                          14            7-20          mg/dL",
    "Creatinine                                   0.9           0.6-1.2       mg/dL",
    "Glucose                                      96            70-99         mg/dL",
    "Calcium                                      9.4           8.6-10.2      mg/dL",
    "Total Protein                                7.0           6.0-8.3       g/dL",
    "Albumin                                      4.2           3.5-5.0       g/dL",
    "Bilirubin, Total                             0.6           0.2-1.2       mg/dL",
    "ALT                                          22            7-56          U/L",
    "AST                                          25            10-40         U/L",
    "Alkaline Phosphatase                         70            44-147        U/L",
    "CRP                                          12      H     0-5           mg/L",
    "Collected 03/12/2026 08:15   Reported 03/12/2026 11:40",
    "Comments: sample slightly hemolysed; repeat CBC advised if clinically indicated.",
]
REPORT = "\n".join(REPORT_LINES)


def per_second(work: Callable[[str], object], texts: Sequence[str], seconds: float) -> float:
    """Calls of `work` per second over the texts, cycling until `seconds` have passed."""
    done = 0
    started = time.perf_counter()
    while True:
        for text in texts:
            work(text)
        done += len(texts)
        elapsed = time.perf_counter() - started
        if elapsed >= seconds:
            return done / elapsed


def median_rate(
    work: Callable[[str], object], texts: Sequence[str], rounds: int, seconds: float
) -> float:
    """Return the median over `rounds` of how many texts a second `work` gets through."""
    return statistics.median(per_second(work, texts, seconds) for _ in range(rounds))


def main() -> int:
    """Print the start-up time and the interpreter's and tokenizer's rates, on one core."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=1.0, help="length of one round")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core

    started = time.perf_counter()
    interpret_text("warm up: wbc 3.2 and a fever")  # builds the pipeline and loads the data
    print(f"start-up (spaCy pipeline, matchers, data): {time.perf_counter() - started:.2f} s")
    assert len(REPORT_LINES) == 40

    print(f"median of {args.rounds} rounds of {args.seconds:.1f} s, one core")
    print(f"{'workload':<34}{'interpret/s':>14}{'tokenizer/s':>14}{'ratio':>8}")
    for name, texts in (("short messages", SHORT_MESSAGES), ("40-line lab reports", [REPORT])):
        rate = median_rate(interpret_text, texts, args.rounds, args.seconds)
        floor = median_rate(make_doc, texts, args.rounds, args.seconds)
        print(f"{name:<34}{rate:>14,.0f}{floor:>14,.0f}{rate / floor:>8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
