"""Write the answer as FHIR R4 JSON (docs/fhir.md).

Each Observation goes back as sent, with its `interpretation` (HL7 v3 codes), a `referenceRange`
when the lab gave none (its basis and sources in `text`) and the verdict in `note`. A computed
ANC is an Observation of its own. The Parameters resource carries them with the explanation,
the urgency, the sources and the disclaimer.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from bot.fhir import codes
from bot.fhir.read import Count, Request
from bot.fhir.ucum import Unit
from bot.model import Analyte, Finding, Pregnancy, ReferenceRange
from bot.reference import wording
from bot.reference.ranges import BASIS_PREGNANCY, format_count

# The parts of the answer (Parameters.parameter.name).
OBSERVATION = "observation"
EXPLANATION = "explanation"
DETAILS = "details"
URGENCY = "urgency"
SOURCE = "source"
DISCLAIMER = "disclaimer"
CHAT_MESSAGE = "chatMessage"
COMPUTED_ANC_TEXT = "Absolute neutrophil count (calculated)"
COMPUTED_METHOD_TEXT = "Calculated: white blood cell count x neutrophils (%) / 100"
_EFFECTIVE = ("effectiveDateTime", "effectivePeriod", "effectiveInstant")
_TRIMESTERS = frozenset({"first", "second", "third"})
_STATUSES = frozenset({"registered", "preliminary", "final", "amended", "corrected", "unknown"})


def interpreted(count: Count, finding: Finding, verdict: str) -> dict[str, Any]:
    """Return the Observation as sent, with the interpretation and the verdict as a note.

    When the lab gave no range, the range it was judged by is added.
    """
    observation = copy.deepcopy(dict(count.resource))
    observation["interpretation"] = [interpretation(finding)]
    if count.lab_range is None:
        earlier = observation.get("referenceRange")
        kept = earlier if isinstance(earlier, list) else []
        observation["referenceRange"] = [*kept, reference_range(finding.reference, count.unit)]
    notes = observation.get("note")
    observation["note"] = [*(notes if isinstance(notes, list) else []), {"text": verdict}]
    return observation


def computed_anc(
    finding: Finding, wbc: Count, share: Count, verdict: str, how: str
) -> dict[str, Any]:
    """Return the ANC worked out from a white count and a neutrophil percentage as an Observation.

    It is derived from both and given in the white count's unit.
    """
    assert finding.cells_per_ul is not None  # computed from a count
    status = wbc.resource.get("status")
    observation: dict[str, Any] = {
        "resourceType": "Observation",
        "status": status if isinstance(status, str) and status in _STATUSES else "unknown",
        "category": [
            {
                "coding": [
                    {
                        "system": codes.OBSERVATION_CATEGORY,
                        "code": "laboratory",
                        "display": "Laboratory",
                    }
                ]
            }
        ],
        "code": {
            "coding": [
                {
                    "system": codes.LOINC,
                    "code": codes.COMPUTED_ANC_CODE,
                    "display": codes.COUNT_CODES[codes.COMPUTED_ANC_CODE][1],
                }
            ],
            "text": COMPUTED_ANC_TEXT,
        },
    }
    for key in ("subject", *_EFFECTIVE):
        if key in wbc.resource:
            observation[key] = copy.deepcopy(wbc.resource[key])
    observation["valueQuantity"] = quantity(finding.cells_per_ul, wbc.unit)
    observation["interpretation"] = [interpretation(finding)]
    observation["referenceRange"] = [reference_range(finding.reference, wbc.unit)]
    observation["method"] = {"text": COMPUTED_METHOD_TEXT}
    derived = [{"reference": count.reference} for count in (wbc, share) if count.reference]
    if derived:
        observation["derivedFrom"] = derived
    observation["note"] = [{"text": verdict}, {"text": how}]
    return observation


def interpretation(finding: Finding) -> dict[str, Any]:
    """The verdict as an HL7 v3 ObservationInterpretation concept, with the chat's own word."""
    code, display = codes.INTERPRETATION[finding.category]
    return {
        "coding": [{"system": codes.V3_INTERPRETATION, "code": code, "display": display}],
        "text": wording.word(finding.category.value),
    }


def reference_range(reference: ReferenceRange, unit: Unit) -> dict[str, Any]:
    """Return the range a count was judged against, in the count's unit.

    Its basis (adult, a child's age band, pregnancy) and sources go in `text`.
    """
    low, high = format_count(reference.low), format_count(reference.high)
    basis = wording.range_words(reference)
    if reference.basis == BASIS_PREGNANCY and reference.label in _TRIMESTERS:
        basis += f", {reference.label} trimester"
    return {
        "low": quantity(reference.low, unit),
        "high": quantity(reference.high, unit),
        "type": {
            "coding": [
                {
                    "system": codes.REFERENCE_RANGE_MEANING,
                    "code": "normal",
                    "display": "Normal Range",
                }
            ]
        },
        "text": f"{basis[:1].upper()}{basis[1:]}: {low} to {high} per microliter "
        f"(source: {reference.source}).",
    }


def quantity(cells_per_ul: float, unit: Unit) -> dict[str, Any]:
    """A count in cells per microliter as a UCUM Quantity in `unit`."""
    per_unit = unit.cells_per_ul or 1.0
    return {
        "value": _number(cells_per_ul / per_unit),
        "unit": unit.code,
        "system": codes.UCUM,
        "code": unit.code,
    }


def parameters(
    observations: Sequence[Mapping[str, Any]],
    explanation: str,
    details: str,
    urgency: str,
    sources: Sequence[tuple[str, str]],
    disclaimer: str,
    chat_message: str,
) -> dict[str, Any]:
    """The whole answer: a Parameters resource."""
    parts: list[dict[str, Any]] = [{"name": OBSERVATION, "resource": o} for o in observations]
    parts.append({"name": EXPLANATION, "valueString": explanation})
    if details:
        parts.append({"name": DETAILS, "valueString": details})
    parts.append({"name": URGENCY, "valueCode": urgency})
    parts.extend(
        {
            "name": SOURCE,
            "part": [
                {"name": "title", "valueString": title},
                {"name": "url", "valueUri": url},
            ],
        }
        for title, url in sources
    )
    parts.append({"name": DISCLAIMER, "valueString": disclaimer})
    parts.append({"name": CHAT_MESSAGE, "valueString": chat_message})
    return {"resourceType": "Parameters", "parameter": parts}


# ---------------------------------------------------------------------------------------------
# The chat's message


def chat_message(request: Request, paired: Sequence[tuple[Count, Count]]) -> str:
    """Write the reading as the person would type it in the chat, which reads it with the same core.

    For example "WBC 3.2 x10^9/L (4.0-11.0), neutrophils 55%, age 34, female".
    """
    parts = []
    for count in request.counts:
        name = "WBC" if count.analyte is Analyte.WBC else "ANC"
        text = f"{name} {_thousands(count.cells_per_ul)} x10^9/L"
        if count.lab_range is not None:
            low, high = count.lab_range.low, count.lab_range.high
            text += f" ({_thousands(low)}-{_thousands(high)})"
        parts.append(text)
        parts.extend(f"neutrophils {share.value:g}%" for wbc, share in paired if wbc is count)
    if request.age_years is not None:
        parts.append(f"age {_age_words(request.age_years)}")
    if request.sex is not None:
        parts.append(request.sex.value)
    if request.pregnancy is not None:
        parts.append(_pregnancy_words(request.pregnancy))
    return ", ".join(parts)


def _thousands(cells_per_ul: float) -> str:
    """Thousands of cells per microliter, with at least one decimal: 3.2, 11.0, 0.45."""
    text = f"{cells_per_ul / 1000:.3f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def _age_words(years: float) -> str:
    """Write an age for the chat: whole years from 2, months under 2 years, days under a month.

    Each band of the ranges starts on such a boundary, so the chat puts the person in the same band.
    """
    if years >= 2:
        return f"{int(years)}"
    if years >= 1 / 12:
        return f"{int(years * 12 + 1e-9)} months"
    return f"{int(years * 365.25 + 1e-9)} days"


def _pregnancy_words(pregnancy: Pregnancy) -> str:
    if pregnancy.weeks is None:
        return "pregnant"
    return f"{int(pregnancy.weeks)} weeks pregnant"


def _number(value: float) -> float | int:
    rounded = round(value, 3)
    return int(rounded) if float(rounded).is_integer() else rounded
