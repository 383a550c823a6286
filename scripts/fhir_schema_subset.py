"""Cut HL7's FHIR R4 JSON Schema (fhir.schema.json, 4.0.1) down to what the FHIR tests need.

    python scripts/fhir_schema_subset.py PATH/TO/fhir.schema.json

writes tests/fhir/fhir-r4-subset.schema.json: the definitions the resources below reach, with
the `description` texts left out and `ResourceList` (any resource, in Bundle.entry.resource,
contained and Parameters.parameter.resource) narrowed to the same resources. Every definition
kept is HL7's own, unchanged otherwise; the tests validate with jsonschema's Draft6Validator.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

RESOURCES = ("Observation", "Bundle", "Patient", "Condition", "Parameters", "OperationOutcome",
             "Specimen")  # fmt: skip
OUT = Path(__file__).resolve().parent.parent / "tests" / "fhir" / "fhir-r4-subset.schema.json"
REF = "#/definitions/"


def subset(schema: dict[str, Any]) -> dict[str, Any]:
    """Return the schema cut down to the definitions RESOURCES reach, without their descriptions."""
    definitions = schema["definitions"]
    kept: dict[str, Any] = {}
    todo = list(RESOURCES)
    while todo:
        name = todo.pop()
        if name in kept or name == "ResourceList":
            continue
        kept[name] = _without_descriptions(definitions[name])
        todo.extend(_refs(kept[name]))
    kept["ResourceList"] = {"oneOf": [{"$ref": REF + name} for name in RESOURCES]}
    return {
        "$schema": schema["$schema"],
        "id": schema["id"],
        "description": "HL7 FHIR R4 JSON Schema (fhir.schema.json), cut down by "
        "scripts/fhir_schema_subset.py to the resources the FHIR tests use.",
        "discriminator": {
            "propertyName": "resourceType",
            "mapping": {name: REF + name for name in RESOURCES},
        },
        "oneOf": [{"$ref": REF + name} for name in RESOURCES],
        "definitions": dict(sorted(kept.items())),
    }


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"].removeprefix(REF)] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


def _without_descriptions(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            key: _without_descriptions(value)
            for key, value in node.items()
            if not (key == "description" and isinstance(value, str))
        }
    if isinstance(node, list):
        return [_without_descriptions(value) for value in node]
    return node


def main() -> None:
    """Write the subset of the FHIR R4 schema named on the command line to tests/fhir/."""
    schema = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    if schema.get("id") != "http://hl7.org/fhir/json-schema/4.0":
        raise SystemExit(f"{sys.argv[1]} is not the FHIR R4 schema (id {schema.get('id')!r})")
    OUT.write_text(json.dumps(subset(schema), indent=1, sort_keys=False) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
