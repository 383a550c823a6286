"""The held-out report layouts (tests/reports/heldout_layouts.py): nothing may be read wrong.

A value the reader cannot read is only a missed value (the person is asked to type it); a value
read as another number, or a range limit taken for the result, is a wrong answer about their
blood count. So this asserts zero wrong values on the clean pages and the phone photos of the
paper, and no read-right rate: that figure is printed by `python -m tests.reports.heldout_layouts`
and goes in a note while the reader is being improved. The photos of a screen are only reported.
"""

from __future__ import annotations

import pytest

from tests.reports.heldout_layouts import describe_wrong, run, table


@pytest.mark.slow
def test_no_value_is_read_wrong_on_clean_pages() -> None:
    results = run(degradations=("clean",))
    assert len(results) == 32
    wrong = describe_wrong(results)
    assert not wrong, "values read wrong:\n" + "\n".join(wrong) + "\n\n" + table(results)


@pytest.mark.slow
@pytest.mark.xfail(
    strict=True,
    reason="issue 23, open: two photos of paper read wrong on 7 Dec 2026 (a percentage whose "
    "'22.4' lost a digit to OCR; 'Neutrophile abs 1,49' read as 149 beside junk in its range)",
)
def test_no_value_is_read_wrong_on_photos_of_paper() -> None:
    results = run(degradations=("photo",))
    assert len(results) == 32
    wrong = describe_wrong(results)
    assert not wrong, "values read wrong:\n" + "\n".join(wrong) + "\n\n" + table(results)
