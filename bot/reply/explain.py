"""Present an Interpretation, as JSON or as a short plain explanation a person can read.

The JSON object is what `python -m bot interpret --json` prints. The explanation puts the most
serious finding first, emergency advice before anything else, and the disclaimer last.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from bot.judge.triage import has_fever
from bot.model import Category, Finding, Interpretation, Urgency
from bot.reference.ranges import format_count as format_cells  # the one count formatter
from bot.yaml_files import DATA_DIR, read_yaml

EXPLANATIONS_FILE = DATA_DIR / "explanations.yml"

# Most serious first: how findings are ordered in the explanation.
SEVERITY_RANK = {
    Category.CRITICALLY_LOW: 0,
    Category.CRITICALLY_HIGH: 1,
    Category.LOW: 2,
    Category.IMPLAUSIBLE: 3,
    Category.NEEDS_UNIT: 4,
    Category.HIGH: 5,
    Category.BORDERLINE_LOW: 6,
    Category.NORMAL: 7,
}


def as_json_dict(interpretation: Interpretation) -> dict[str, Any]:
    """The JSON object of the command line (keys and order are a contract)."""
    context = interpretation.context
    return {
        "findings": [_finding_dict(finding) for finding in interpretation.findings],
        "temperature_c": None if context.temperature_c is None else round(context.temperature_c, 1),
        "red_flags": [flag.name for flag in context.red_flags],
        "urgency": interpretation.urgency.value,
        "reasons": list(interpretation.reasons),
    }


def empty_json_dict(error: str) -> dict[str, Any]:
    """The JSON object for a text that could not be read (batch mode), with the reason."""
    return {
        "findings": [],
        "temperature_c": None,
        "red_flags": [],
        "urgency": Urgency.ROUTINE.value,
        "reasons": [],
        "error": error,
    }


def as_text(interpretation: Interpretation) -> str:
    """Write a short explanation of an interpretation.

    In an emergency what to do comes first; then each finding (most serious first), what to do,
    notes, and the disclaimer last.
    """
    words = explanations()
    findings = [_describe(finding, words) for finding in by_severity(interpretation.findings)]
    if not findings:
        findings = [words["no_count"]]
    reasons = list(interpretation.reasons)
    if interpretation.urgency is Urgency.EMERGENCY:
        paragraphs = ["URGENT: " + " ".join(reasons), *findings]
    else:
        paragraphs = [*findings, *reasons]
    paragraphs.extend(interpretation.notes)
    paragraphs.append(disclaimer_for(interpretation))
    return "\n\n".join(paragraphs)


def disclaimer_for(interpretation: Interpretation | None) -> str:
    """Return the disclaimer that never contradicts the urgency (section 6).

    After a fever judged same-day or routine, it does not send the person to emergency care for
    that fever; under emergency advice, it does not list the signs again.
    """
    if interpretation is not None and interpretation.urgency is Urgency.EMERGENCY:
        return str(explanations()["disclaimer_after_emergency"])  # not the signs again
    fever_not_emergency = interpretation is not None and has_fever(interpretation.context)
    return str(
        explanations()["disclaimer_fever_not_emergency" if fever_not_emergency else "disclaimer"]
    )


def by_severity(findings: Sequence[Finding]) -> list[Finding]:
    """Findings with the most serious first (ties keep text order)."""
    return sorted(findings, key=lambda finding: SEVERITY_RANK[finding.category])


def _describe(finding: Finding, words: Mapping[str, Any]) -> str:
    name = words["analyte_names"][finding.analyte.value]
    category = words["categories"][finding.category.value]
    reference = finding.reference
    if finding.cells_per_ul is None:
        read = f'"{finding.text}"'
    else:
        cells = format_cells(finding.cells_per_ul)
        read = f'{cells} cells per microliter (from "{finding.text}")'
    grade = f", {words['grades'][finding.grade.value]}" if finding.grade else ""
    band = f", {reference.label}" if reference.label else ""
    basis = (
        f"Range used: {format_cells(reference.low)} to {format_cells(reference.high)} "
        f"({reference.basis}{band}; source: {reference.source})."
    )
    meaning = words["meanings"][finding.category.value]
    return f"Your {name}: {read} is {category}{grade}. {basis} {meaning}"


def _finding_dict(finding: Finding) -> dict[str, Any]:
    reference = finding.reference
    return {
        "analyte": finding.analyte.value,
        "text": finding.text,
        "cells_per_ul": _number(finding.cells_per_ul),
        "unit_assumed": finding.unit_assumed,
        "computed": finding.computed,  # an ANC worked out from a WBC and a percentage
        "category": finding.category.value,
        "grade": None if finding.grade is None else finding.grade.value,
        "earlier_in_message": [_number(cells) for cells in finding.earlier_in_message],
        "reference": {
            "low": _number(reference.low),
            "high": _number(reference.high),
            "basis": reference.basis,
            "source": reference.source,
        },
    }


def _number(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else round(value, 1)


@cache
def explanations() -> Mapping[str, Any]:
    """The plain-language wording of data/explanations.yml."""
    loaded: Mapping[str, Any] = read_yaml(EXPLANATIONS_FILE)
    return loaded
