"""Helpers shared by the FHIR tests: FHIR R4 resources, and a validator from HL7's JSON Schema.

The schema is tests/fhir/fhir-r4-subset.schema.json (docs/fhir.md).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SCHEMA = HERE / "fhir-r4-subset.schema.json"
EXAMPLES = ROOT / "docs" / "fhir"

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
SNOMED = "http://snomed.info/sct"
V3 = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
WHEN = "2024-05-01T08:30:00Z"


@cache
def _schema() -> dict[str, Any]:
    return json.loads(SCHEMA.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def schema_errors(resource: dict[str, Any]) -> list[str]:
    """What the FHIR R4 JSON Schema finds wrong with a resource (of a type it holds)."""
    schema = _schema()
    kind = resource.get("resourceType")
    if kind not in schema["definitions"]:
        return [f"no definition of {kind!r} in {SCHEMA.name}"]
    only = {**schema, "oneOf": [{"$ref": f"#/definitions/{kind}"}]}
    validator = jsonschema.Draft6Validator(only)
    return [
        f"{'/'.join(str(part) for part in error.absolute_path)}: {error.message[:200]}"
        for error in validator.iter_errors(resource)
    ]


def example(name: str) -> dict[str, Any]:
    """One of the example resources of docs/fhir/."""
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def quantity(value: Any, code: str | None = "10*3/uL", **extra: Any) -> dict[str, Any]:
    """A UCUM Quantity (code None: no unit at all)."""
    if code is None:
        return {"value": value, **extra}
    return {"value": value, "unit": code, "system": UCUM, "code": code, **extra}


def observation(
    code: str = "6690-2",
    value: Any = 3.2,
    unit: str | None = "10*3/uL",
    identifier: str = "obs",
    **extra: Any,
) -> dict[str, Any]:
    """A final laboratory Observation with a LOINC code and a valueQuantity."""
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": identifier,
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": code}]},
        "subject": {"reference": "Patient/p"},
        "effectiveDateTime": WHEN,
        "valueQuantity": quantity(value, unit),
    }
    resource.update(extra)
    return {key: item for key, item in resource.items() if item is not None}


def patient(birth_date: str | None = None, gender: str | None = None) -> dict[str, Any]:
    resource: dict[str, Any] = {"resourceType": "Patient", "id": "p"}
    if birth_date is not None:
        resource["birthDate"] = birth_date
    if gender is not None:
        resource["gender"] = gender
    return resource


def bundle(*resources: dict[str, Any]) -> dict[str, Any]:
    """A collection Bundle, each entry with a urn:uuid fullUrl."""
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"fullUrl": f"urn:uuid:00000000-0000-4000-8000-{index:012d}", "resource": resource}
            for index, resource in enumerate(resources, start=1)
        ],
    }


def parts(answer: dict[str, Any], name: str) -> list[dict[str, Any]]:
    """The parameters of a Parameters answer with this name."""
    return [part for part in answer["parameter"] if part["name"] == name]


def observations(answer: dict[str, Any]) -> list[dict[str, Any]]:
    return [part["resource"] for part in parts(answer, "observation")]


def value_of(answer: dict[str, Any], name: str) -> Any:
    """The value of the one parameter with this name (valueString, valueCode ...)."""
    (part,) = parts(answer, name)
    return next(item for key, item in part.items() if key.startswith("value"))


def flag(resource: dict[str, Any]) -> str:
    """The v3 interpretation code of an interpreted Observation."""
    (concept,) = resource["interpretation"]
    (coding,) = concept["coding"]
    assert coding["system"] == V3
    return str(coding["code"])
