"""The generated report set (tests/reports/synthetic.py) through the reader: no value read
wrong, and the expected values read right.

A sample runs here: every layout clean, as a phone photo, photographed at an angle and as a
portal PDF, and the US layout in every version (a scanned PDF too); `python -m
tests.reports.synthetic` runs the whole set and prints the figures of docs/reports.md.
Chromium renders the reports from HTML, as in the widget's browser test.
"""

from __future__ import annotations

import pytest

from tests.reports.synthetic import DEGRADATIONS, Case, Outcome, cases, measure, render, summary

pytestmark = pytest.mark.slow


def sample() -> list[Case]:
    every = cases(per_layout=1)
    return [
        case
        for case in every
        if (case.form == "png" and case.degrade in ("", "phone", "perspective"))
        or case.layout == "us"
        or case.form == "pdf-text"
    ]


@pytest.fixture(scope="module")
def outcomes() -> list[Outcome]:
    return [measure(case) for case in render(sample())]


def test_the_sample_covers_every_layout_and_degradation() -> None:
    chosen = sample()
    assert {case.layout for case in chosen} == {"us", "si", "indian", "german", "two-column"}
    assert {case.degrade for case in chosen} == set(DEGRADATIONS)
    assert {case.form for case in chosen} == {"png", "pdf-text", "pdf-image"}


def test_no_value_is_read_wrong(outcomes: list[Outcome]) -> None:
    """A wrong number is worse than none: every value the reader takes is on the report."""
    wrong = {o.case.name: (o.wrong, o.lines) for o in outcomes if o.wrong}
    assert not wrong, "\n".join(summary(outcomes))


def test_text_layer_pdfs_are_read_completely(outcomes: list[Outcome]) -> None:
    for outcome in outcomes:
        if outcome.case.form == "pdf-text":
            assert not outcome.missed, (outcome.case.name, outcome.lines)


# The whole issue's set read 234 of 240 expected values right (97.5%, docs/reports.md); the
# sample's part of it (72 values) read 70 (97.2%). The floor sits more than two standard
# deviations below (at 97.5% and 72 values one is about 1.8 points), so that another build of
# Tesseract does not fail it while a real step back does.
SAMPLE_FLOOR = 0.92


def test_most_expected_values_are_read(outcomes: list[Outcome]) -> None:
    """Of the versions issue 13 lists ("poor" photos left out: they only must not be wrong)."""
    issue = [o for o in outcomes if o.case.in_issue_set]
    expected = sum(len(o.case.expected) for o in issue)
    right = sum(o.right for o in issue)
    assert right / expected >= SAMPLE_FLOOR, "\n".join(summary(issue))
