"""FHIR R4 in and out, judged by the chat's own core and answered as FHIR JSON (docs/fhir.md).

A white count or neutrophil count comes in as an Observation, or as a Bundle with the Patient.

    >>> from datetime import date
    >>> wbc = {"resourceType": "Observation", "status": "final",
    ...        "code": {"coding": [{"system": "http://loinc.org", "code": "6690-2"}]},
    ...        "valueQuantity": {"value": 3.2, "system": "http://unitsofmeasure.org",
    ...                          "code": "10*9/L"}}
    >>> answer = interpret_resource(wbc, today=date(2024, 5, 1))
    >>> answer["parameter"][0]["resource"]["interpretation"][0]["coding"][0]["code"]
    'L'

Pure: no web framework, no Rasa; the HTTP route (channels/fhir.py) and the command line
(`python -m bot interpret --fhir FILE`) are thin adapters over it.
"""

from __future__ import annotations

from bot.fhir.body import (
    CLI_MAX_BYTES,
    FHIR_JSON,
    MEDIA_TYPES,
    check_media_type,
    read_json,
    too_large,
)
from bot.fhir.interpret import interpret_resource
from bot.fhir.problems import FhirProblem, operation_outcome

__all__ = [
    "CLI_MAX_BYTES",
    "FHIR_JSON",
    "MEDIA_TYPES",
    "FhirProblem",
    "check_media_type",
    "interpret_resource",
    "operation_outcome",
    "read_json",
    "too_large",
]
