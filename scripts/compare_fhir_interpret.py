"""Run the FHIR interpreter beside HealthClawGuardrails' `r6/labs/interpret.py`.

Both read the same Observations (docs/fhir.md, "Compared with HealthClawGuardrails").

    .venv/bin/python scripts/compare_fhir_interpret.py --healthclaw PATH/TO/r6/labs/interpret.py

Their module is pure Python (MIT licence) and is not part of this project: give the path of a
copy. Prints a Markdown table: for each Observation (the examples of docs/fhir/ and a few more
written here), their flag, range and note, and this bot's code, range basis and urgency.
"""

from __future__ import annotations

import argparse
import copy
import importlib.util
import json
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from bot.fhir import interpret_resource
from bot.fhir.problems import FhirProblem

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "docs" / "fhir"
TODAY = date(2024, 5, 2)


def _their_interpreter(path: Path) -> Callable[..., dict[str, Any]]:
    spec = importlib.util.spec_from_file_location("healthclaw_interpret", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.interpret_observation  # type: ignore[no-any-return]


def _extra_cases() -> Iterator[tuple[str, dict[str, Any]]]:
    """Cases beside the examples: where the two differ, or agree, at an edge."""
    base = json.loads((EXAMPLES / "wbc-adult-low.json").read_text())

    def wbc(value: float, code: str = "10*3/uL", unit: str | None = None) -> dict[str, Any]:
        resource = copy.deepcopy(base)
        resource["valueQuantity"] = {
            "value": value,
            "unit": unit or code,
            "system": "http://unitsofmeasure.org",
            "code": code,
        }
        return resource

    yield "WBC 1.9 10*3/uL, adult", wbc(1.9)
    yield "WBC 2.0 10*3/uL, adult", wbc(2.0)
    yield "WBC 30.0 10*3/uL, adult", wbc(30.0)
    yield "WBC 3.2 10*3/uL shown as x10E3/uL (unit text)", wbc(3.2, unit="x10E3/uL")
    pregnant = json.loads((EXAMPLES / "bundle-pregnancy.json").read_text())
    pregnant["entry"][3]["resource"]["valueQuantity"] = wbc(15.2)["valueQuantity"]
    yield "WBC 15.2 10*3/uL, 30 weeks pregnant", pregnant


def _cases() -> Iterator[tuple[str, dict[str, Any]]]:
    for path in sorted(EXAMPLES.glob("*.json")):
        yield f"docs/fhir/{path.name}", json.loads(path.read_text())
    yield from _extra_cases()


def _theirs(interpret: Callable[..., dict[str, Any]], resource: dict[str, Any]) -> list[str]:
    """Their result for each Observation of a count (with the Bundle's Patient)."""
    if resource["resourceType"] == "Observation":
        observations, patient = [resource], None
    else:
        entries = [entry["resource"] for entry in resource["entry"]]
        patient = next((r for r in entries if r["resourceType"] == "Patient"), None)
        codes = {"6690-2", "26464-8", "751-8", "753-4", "26499-4", "770-8"}
        observations = [
            r
            for r in entries
            if r["resourceType"] == "Observation" and r["code"]["coding"][0]["code"] in codes
        ]
    shown = []
    for observation in observations:
        result = interpret(observation, patient)
        code = observation["code"]["coding"][0]["code"]
        if result["flag"] is None:
            shown.append(f"{code}: none ({result['note']})")
        else:
            limits = f"{result['low']}-{result['high']}"
            shown.append(f"{code}: {result['flag']} ({result['range_source']} {limits})")
    return shown


def _ours(resource: dict[str, Any]) -> tuple[list[str], str]:
    try:
        answer = interpret_resource(resource, TODAY)
    except FhirProblem as problem:
        return [f"OperationOutcome {problem.status} {problem.code}"], ""
    shown = []
    urgency = ""
    for part in answer["parameter"]:
        if part["name"] == "urgency":
            urgency = part["valueCode"]
        if part["name"] != "observation":
            continue
        observation = part["resource"]
        code = observation["code"]["coding"][0]["code"]
        flag = observation["interpretation"][0]["coding"][0]["code"]
        used = observation["referenceRange"][-1].get("text", "the lab's range").split(":")[0]
        computed = " computed ANC" if "derivedFrom" in observation else ""
        value = observation["valueQuantity"]["value"]
        shown.append(f"{code}{computed} {value}: {flag} ({used})")
    return shown, urgency


def main() -> None:
    """Print the Markdown table of their flags and notes against this bot's codes and urgency."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--healthclaw", type=Path, required=True, help="their interpret.py")
    args = parser.parse_args()
    interpret = _their_interpreter(args.healthclaw)
    print("| Observation | HealthClawGuardrails | this bot | urgency |")
    print("| --- | --- | --- | --- |")
    for name, resource in _cases():
        ours, urgency = _ours(resource)
        theirs = _theirs(interpret, resource)
        print(f"| {name} | {'; '.join(theirs)} | {'; '.join(ours)} | {urgency} |")


if __name__ == "__main__":
    main()
