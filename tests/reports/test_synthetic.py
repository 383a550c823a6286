"""The generated report set (tests/reports/synthetic.py) through the reader.

No value is read wrong, and the expected values are read right.

A sample runs here: every layout clean, as a phone photo, photographed at an angle and as a
portal PDF, and the US layout in every version (a scanned PDF too); `python -m
tests.reports.synthetic` runs the whole set and prints the figures of docs/reports.md.
Chromium renders the reports from HTML, as in the widget's browser test.
"""

from __future__ import annotations

import pytest

from tests.reports.layouts import REAL_DEGRADATIONS, REAL_LAYOUTS
from tests.reports.synthetic import DEGRADATIONS, Case, Outcome, cases, measure, render, summary

pytestmark = pytest.mark.slow


# The real-world layouts (tests/reports/layouts.py) in the sample: clean, as a portal PDF, and
# in one version each, so that every version is there once and the run stays short.
REAL_WORLD_VERSION = {
    "portal-blocks": "phone",
    "portal-phone": "jpeg40",
    "printout": "screen",
    "small-serif-2col": "perspective",
    "nhs": "screen",
    "indian-lab": "phone",
    "german-befund": "perspective",
}


def sample() -> list[Case]:
    every = cases(per_layout=1)
    return [
        case
        for case in every
        if (
            case.real_world
            and (case.form == "pdf-text" or case.degrade in ("", REAL_WORLD_VERSION[case.layout]))
        )
        or (
            not case.real_world
            and (
                (case.form == "png" and case.degrade in ("", "phone", "perspective"))
                or case.layout == "us"
                or case.form == "pdf-text"
            )
        )
    ]


@pytest.fixture(scope="module")
def outcomes() -> list[Outcome]:
    return [measure(case) for case in render(sample())]


def test_the_sample_covers_every_layout_and_degradation() -> None:
    chosen = sample()
    assert {case.layout for case in chosen} == {
        "us",
        "si",
        "indian",
        "german",
        "two-column",
        *REAL_LAYOUTS,
    }
    assert {case.degrade for case in chosen} == {*DEGRADATIONS, *REAL_DEGRADATIONS}
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
    issue = [o for o in outcomes if o.case.in_issue_set and not o.case.real_world]
    expected = sum(len(o.case.expected) for o in issue)
    right = sum(o.right for o in issue)
    assert right / expected >= SAMPLE_FLOOR, "\n".join(summary(issue))


# The real-world layouts' part of the sample (clean, portal PDF and one version each: 49
# values) read 48 (98.0%, 7 Dec 2026); the whole real-world set, with its hardest versions,
# 88.8%. The floor sits more than two standard deviations below the sample's figure (about
# 2 points at 98% and 49 values), with room for another build of Tesseract.
REAL_WORLD_FLOOR = 0.90


def test_most_values_of_the_real_world_layouts_are_read(outcomes: list[Outcome]) -> None:
    """Most values of the real-world layouts are read (docs/reports.md, "Real-world layouts").

    A portal's blocks, a phone screenshot, a printout, small serif print, NHS, Indian and German
    reports.
    """
    real = [o for o in outcomes if o.case.real_world]
    expected = sum(len(o.case.expected) for o in real)
    right = sum(o.right for o in real)
    assert right / expected >= REAL_WORLD_FLOOR, "\n".join(summary(real))
