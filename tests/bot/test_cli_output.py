"""The plain explanation and the JSON object built from an Interpretation."""

from __future__ import annotations

import pytest

from bot import interpret_text
from bot.reply.explain import as_json_dict, as_text, format_cells


@pytest.mark.parametrize(
    ("cells", "typed"),
    [(3200.0, "3,200"), (450.5, "451"), (1_000_000.0, "1,000,000"), (1e308, "1e+308")],
)
def test_format_cells(cells: float, typed: str) -> None:
    """Counts are shown in whole cells with a thousands separator; absurd ones as 1e+308."""
    assert format_cells(cells) == typed


def test_routine_answer_leads_with_the_finding() -> None:
    """Without urgency the explanation starts with the value and ends with the disclaimer."""
    text = as_text(interpret_text("wbc 5.0"))
    assert text.startswith("Your white blood cell count: 5,000 cells per microliter")
    assert "within the usual range" in text
    assert "ask your doctor" in text
    assert text.splitlines()[-1].startswith("General information, not a diagnosis")


def test_most_serious_finding_comes_first() -> None:
    """With a normal WBC and a very low ANC, the ANC is described first."""
    text = as_text(interpret_text("WBC 4.6, ANC 0.3"))
    assert text.index("absolute neutrophil count") < text.index("white blood cell count")


def test_no_count_and_needs_unit_are_explained() -> None:
    """Texts without a count say so; a count that needs a unit is quoted as typed."""
    assert "did not find a white blood cell count" in as_text(interpret_text("hello"))
    assert '"320" is impossible to judge without its unit' in as_text(interpret_text("wbc 320"))


def test_json_numbers_are_plain() -> None:
    """Whole counts are integers in JSON; temperatures keep one decimal."""
    result = as_json_dict(interpret_text("wbc 3.25, temp 101F"))
    assert result["findings"][0]["cells_per_ul"] == 3250
    assert isinstance(result["findings"][0]["cells_per_ul"], int)
    assert result["temperature_c"] == 38.3
