"""Read a FHIR R4 Observation, or a Bundle of them with a Patient, into what the core judges.

That is each white count and neutrophil count in cells per microliter with the lab's own range
and flag, the neutrophil percentages, and the person's age, sex and pregnancy.

Everything that cannot be read refuses the whole request with a FhirProblem that says what and
where; Observations of other tests in a Bundle (a whole blood count) are left alone.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.fhir import codes
from bot.fhir.problems import BAD_REQUEST, FhirProblem, quoted, unprocessable
from bot.fhir.ucum import Unit, read_unit
from bot.model import Analyte, LabFlag, LabRange, Pregnancy, Sex
from bot.reference import ranges
from bot.reference.units import DAYS_PER_YEAR, MAX_AGE_YEARS

MAX_ENTRIES = 100  # entries of a Bundle read at most (the body limit bounds it too)
MAX_GESTATION_WEEKS = 45.0
_DATE = re.compile(r"(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?(?:T.*)?")
_UNITS_TAKEN = "10*3/uL, 10*9/L, /uL or /mm3 (UCUM)"
_CODES_TAKEN = ", ".join(codes.SUPPORTED_CODES)


@dataclass(frozen=True, eq=False)  # one per Observation sent: equal only to itself
class Count:
    """One Observation read: a count (analyte set) or a neutrophil percentage (analyte None)."""

    resource: Mapping[str, Any]  # as sent
    path: str  # where it is in the request, as FHIRPath ("Bundle.entry[2].resource")
    code: str  # its LOINC code
    analyte: Analyte | None
    value: float  # as sent, in `unit`
    unit: Unit
    lab_range: LabRange | None  # the lab's own range, in cells/µL, when it can be used
    lab_flag: LabFlag | None  # the lab's own flag (interpretation L or H), if any
    when: date | None  # the effective date
    when_text: str | None  # the effective date and time as sent: pairs a share with its count
    reference: str | None  # how another resource refers to it ("Observation/wbc1")

    @property
    def cells_per_ul(self) -> float:
        """The count in cells per microliter (a percentage stays as it is)."""
        return self.value * (self.unit.cells_per_ul or 1.0)


@dataclass(frozen=True)
class Request:
    """What one request asks to interpret, and about whom."""

    counts: tuple[Count, ...]  # white counts and ANCs, in the order sent
    shares: tuple[Count, ...]  # neutrophil percentages (LOINC 770-8)
    age_years: float | None
    sex: Sex | None
    pregnancy: Pregnancy | None


@dataclass
class _Found:
    """What a Bundle holds, gathered in one pass."""

    counts: list[Count]
    shares: list[Count]
    patients: list[Mapping[str, Any]]
    pregnancy: list[Pregnancy | None]  # None: "not pregnant" said outright
    specimens: dict[str, Mapping[str, Any]]


def read_request(resource: Mapping[str, Any], today: date) -> Request:
    """The counts and the person of an Observation or a Bundle (FhirProblem when it cannot)."""
    kind = resource.get("resourceType")
    if kind is None:
        raise FhirProblem(
            BAD_REQUEST, "structure", "The JSON has no resourceType: it is not a FHIR resource."
        )
    found = _Found([], [], [], [], {})
    if kind == "Observation":
        _index_specimens(found, resource.get("contained"), "#")
        found.patients.extend(_contained(resource, "Patient"))
        _read_observation(found, resource, "Observation", None, single=True)
    elif kind == "Bundle":
        _read_bundle(found, resource)
    else:
        raise unprocessable(
            "not-supported",
            f"A {quoted(kind)} resource cannot be interpreted: send an Observation, or a "
            f"Bundle of Observations with their Patient.",
            "resourceType",
        )
    if not found.counts:
        raise unprocessable(
            "not-supported",
            "A neutrophil percentage (LOINC 770-8) needs the white count of the same sample "
            "(LOINC 6690-2 or 26464-8) in the Bundle."
            if found.shares
            else "The Bundle holds no white blood cell or neutrophil count "
            f"(LOINC {_CODES_TAKEN}).",
        )
    if len(found.patients) > 1:
        raise unprocessable(
            "business-rule",
            f"The request holds {len(found.patients)} Patients: send one person's results.",
        )
    patient = found.patients[0] if found.patients else {}
    on = max((count.when for count in found.counts if count.when is not None), default=today)
    return Request(
        counts=tuple(found.counts),
        shares=tuple(found.shares),
        age_years=_age(patient, on),
        sex=_sex(patient),
        pregnancy=_pregnancy(found.pregnancy),
    )


def _read_bundle(found: _Found, bundle: Mapping[str, Any]) -> None:
    entries = bundle.get("entry", [])
    if not isinstance(entries, list):
        raise _structure("Bundle.entry must be an array.", "Bundle.entry")
    if len(entries) > MAX_ENTRIES:
        raise unprocessable(
            "too-costly",
            f"The Bundle has {len(entries):,} entries; at most {MAX_ENTRIES} are read.",
            "Bundle.entry",
        )
    resources: list[tuple[Mapping[str, Any], str, str | None]] = []
    for index, entry in enumerate(entries):
        path = f"Bundle.entry[{index}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("resource"), dict):
            raise _structure("Each entry of the Bundle needs a resource (a JSON object).", path)
        full_url = entry.get("fullUrl") if isinstance(entry.get("fullUrl"), str) else None
        resources.append((entry["resource"], f"{path}.resource", full_url))
    for resource, _, full_url in resources:
        if resource.get("resourceType") == "Specimen":
            _index_specimen(found, resource, full_url)
    for resource, path, full_url in resources:
        kind = resource.get("resourceType")
        if kind == "Patient":
            found.patients.append(resource)
        elif kind == "Condition":
            found.pregnancy.extend(_condition_pregnancy(resource))
        elif kind == "Observation":
            _read_observation(found, resource, path, full_url, single=False)


def _read_observation(
    found: _Found,
    observation: Mapping[str, Any],
    path: str,
    full_url: str | None,
    single: bool,
) -> None:
    """Add what one Observation says to `found`.

    A count or a share goes into `found`; a pregnancy status or gestational age into its pregnancy;
    in a Bundle, any other Observation is left alone.
    """
    code = _loinc_code(observation, path)
    if code in codes.SUPPORTED_CODES:
        count = _read_count(found, observation, path, code, full_url)
        (found.shares if count.analyte is None else found.counts).append(count)
        return
    if not single:
        if code == codes.PREGNANCY_STATUS_CODE:
            found.pregnancy.extend(_status_pregnancy(observation))
        elif code in codes.GESTATIONAL_AGE_CODES:
            found.pregnancy.extend(_gestation(observation, path))
        return
    shown = f"LOINC {code}" if code else "An Observation without a LOINC code"
    raise unprocessable(
        "not-supported",
        f"{shown} is not a white blood cell or neutrophil count; the codes interpreted here "
        f"are LOINC {_CODES_TAKEN}.",
        f"{path}.code",
    )


def _loinc_code(observation: Mapping[str, Any], path: str) -> str | None:
    """Its supported LOINC code, else its first LOINC code, else None."""
    concept = observation.get("code")
    if not isinstance(concept, dict):
        raise unprocessable("required", "The Observation has no code.", f"{path}.code")
    loinc = [c for c, _ in _codings(concept) if c[0] == codes.LOINC]
    supported = [code for _, code in loinc if code in codes.SUPPORTED_CODES]
    if supported:
        return supported[0]
    return loinc[0][1] if loinc else None


def _read_count(
    found: _Found, observation: Mapping[str, Any], path: str, code: str, full_url: str | None
) -> Count:
    status = observation.get("status")
    if isinstance(status, str) and status in codes.NOT_A_RESULT:
        raise unprocessable(
            "business-rule",
            f"The Observation's status is {status}: it is not a result.",
            f"{path}.status",
        )
    _check_specimen(found, observation, path)
    value, unit = _quantity(observation, path)
    analyte = codes.COUNT_CODES[code][0] if code in codes.COUNT_CODES else None
    if analyte is None:
        if unit.cells_per_ul is not None:
            raise _unit_problem(f"A neutrophil percentage (LOINC {code}) must be in %", path)
        if value > 100:
            raise unprocessable(
                "value", f"A percentage of {value:g} cannot be right.", f"{path}.valueQuantity"
            )
    elif unit.cells_per_ul is None:
        raise _unit_problem(f"A count (LOINC {code}) cannot be in %; use {_UNITS_TAKEN}", path)
    elif not ranges.is_plausible(analyte, value * unit.cells_per_ul):
        raise unprocessable(
            "value",
            f"{value:g} {unit.code} cannot be a real count: check the value and its unit.",
            f"{path}.valueQuantity",
        )
    when_text, when = _effective(observation, path)
    return Count(
        resource=observation,
        path=path,
        code=code,
        analyte=analyte,
        value=value,
        unit=unit,
        lab_range=_lab_range(observation, unit) if analyte else None,
        lab_flag=_lab_flag(observation),
        when=when,
        when_text=when_text,
        reference=_reference_to(observation, full_url),
    )


def _quantity(observation: Mapping[str, Any], path: str) -> tuple[float, Unit]:
    quantity = observation.get("valueQuantity")
    if quantity is None:
        others = sorted(key for key in observation if key.startswith("value"))
        if others:
            raise unprocessable(
                "value",
                f"The value is a {others[0]}: it must be a Quantity (valueQuantity).",
                f"{path}.{others[0]}",
            )
        absent = " (dataAbsentReason)" if "dataAbsentReason" in observation else ""
        raise unprocessable(
            "required", f"The Observation has no valueQuantity{absent}.", f"{path}.valueQuantity"
        )
    where = f"{path}.valueQuantity"
    if not isinstance(quantity, dict):
        raise _structure("valueQuantity must be a JSON object (a Quantity).", where)
    value = quantity.get("value")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise unprocessable("required", "The Quantity has no numeric value.", f"{where}.value")
    if not math.isfinite(value) or value < 0:
        raise unprocessable("value", f"{value:g} cannot be a count.", f"{where}.value")
    if quantity.get("comparator") is not None:
        raise unprocessable(
            "not-supported",
            f"A value with a comparator ({quoted(quantity['comparator'])}) cannot be judged.",
            f"{where}.comparator",
        )
    unit = read_unit(quantity)
    if unit is None:
        typed = quantity.get("code") or quantity.get("unit")
        if not typed:
            raise unprocessable("required", "The Quantity has no unit.", f"{where}.code")
        raise _unit_problem(
            f"The unit {quoted(typed)} cannot be converted; use {_UNITS_TAKEN}", path
        )
    return float(value), unit


def _unit_problem(text: str, path: str) -> FhirProblem:
    return unprocessable("not-supported", f"{text}.", f"{path}.valueQuantity")


def _lab_range(observation: Mapping[str, Any], unit: Unit) -> LabRange | None:
    """The first printed range with both limits in a unit read here (its own or the value's)."""
    entries = observation.get("referenceRange")
    if not isinstance(entries, list):
        return None
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        low, high = _limit(entry.get("low"), unit), _limit(entry.get("high"), unit)
        if low is not None and high is not None and 0 <= low < high:
            return LabRange(low, high)
    return None


def _limit(quantity: object, value_unit: Unit) -> float | None:
    if not isinstance(quantity, dict):
        return None
    value = quantity.get("value")
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    given = quantity.get("code") or quantity.get("unit")
    unit = read_unit(quantity) if given else value_unit
    if unit is None or unit.cells_per_ul is None:
        return None
    return float(value) * unit.cells_per_ul


def _lab_flag(observation: Mapping[str, Any]) -> LabFlag | None:
    concepts = observation.get("interpretation")
    if not isinstance(concepts, list):
        return None
    for concept in concepts:
        for (system, code), _ in _codings(concept):
            if system == codes.V3_INTERPRETATION and code in codes.LAB_FLAGS_LOW:
                return LabFlag.LOW
            if system == codes.V3_INTERPRETATION and code in codes.LAB_FLAGS_HIGH:
                return LabFlag.HIGH
    return None


def _effective(observation: Mapping[str, Any], path: str) -> tuple[str | None, date | None]:
    """Return when the sample was taken, as written and as a date.

    The first of effectiveDateTime, effectiveInstant and effectivePeriod.start, or else when the
    result was issued.
    """
    period = observation.get("effectivePeriod")
    candidates = [
        ("effectiveDateTime", observation.get("effectiveDateTime")),
        ("effectiveInstant", observation.get("effectiveInstant")),
        ("effectivePeriod.start", period.get("start") if isinstance(period, dict) else None),
        ("issued", observation.get("issued")),
    ]
    for name, typed in candidates:
        if typed is not None:
            return str(typed), _date(typed, f"{path}.{name}")
    return None, None


def _date(typed: object, where: str) -> date:
    """A FHIR date or dateTime; a year alone is read as its middle (2 July), a month as its 15th."""
    found = _DATE.fullmatch(typed) if isinstance(typed, str) else None
    try:
        if found is None:
            raise ValueError(typed)
        year, month, day = found.group("year", "month", "day")
        return date(int(year), int(month or 7), int(day or (15 if month else 2)))
    except ValueError:
        raise unprocessable("value", f"{quoted(typed)} is not a FHIR date.", where) from None


def _age(patient: Mapping[str, Any], on: date) -> float | None:
    typed = patient.get("birthDate")
    if typed is None:
        return None
    born = _date(typed, "Patient.birthDate")
    years = (on - born).days / DAYS_PER_YEAR
    if not 0 <= years <= MAX_AGE_YEARS:
        raise unprocessable(
            "value",
            f"A birthDate of {quoted(typed)} gives an age of {years:.0f} years "
            f"on {on.isoformat()}.",
            "Patient.birthDate",
        )
    return years


def _sex(patient: Mapping[str, Any]) -> Sex | None:
    gender = patient.get("gender")
    return Sex(gender) if gender in (Sex.FEMALE.value, Sex.MALE.value) else None


# ---------------------------------------------------------------------------------------------
# Pregnancy


def _pregnancy(evidence: Sequence[Pregnancy | None]) -> Pregnancy | None:
    """Return the pregnancy the Bundle's evidence shows, or None.

    Pregnant when the Bundle says so and never says "not pregnant"; with the weeks of a gestational
    age when one is given.
    """
    if not evidence or any(item is None for item in evidence):
        return None
    weeks = [item.weeks for item in evidence if item is not None and item.weeks is not None]
    return Pregnancy(weeks[0] if weeks else None)


def _status_pregnancy(observation: Mapping[str, Any]) -> list[Pregnancy | None]:
    concept = observation.get("valueCodeableConcept")
    answers = {pair for pair, _ in _codings(concept)}
    if answers & codes.NOT_PREGNANT_ANSWERS:
        return [None]
    return [Pregnancy()] if answers & codes.PREGNANT_ANSWERS else []


def _gestation(observation: Mapping[str, Any], path: str) -> list[Pregnancy | None]:
    quantity = observation.get("valueQuantity")
    if not isinstance(quantity, dict):
        return [Pregnancy()]
    value = quantity.get("value")
    unit = str(quantity.get("code") or quantity.get("unit") or "").lower()
    per_week = {"wk": 1.0, "week": 1.0, "weeks": 1.0, "d": 7.0, "day": 7.0, "days": 7.0}
    if isinstance(value, bool) or not isinstance(value, int | float) or unit not in per_week:
        return [Pregnancy()]
    weeks = value / per_week[unit]
    if not 0 <= weeks <= MAX_GESTATION_WEEKS:
        raise unprocessable(
            "value",
            f"A gestational age of {weeks:g} weeks cannot be right.",
            f"{path}.valueQuantity",
        )
    return [Pregnancy(weeks)]


def _condition_pregnancy(condition: Mapping[str, Any]) -> list[Pregnancy | None]:
    if codes.PREGNANCY_CONDITION not in {pair for pair, _ in _codings(condition.get("code"))}:
        return []
    clinical = {code for (_, code), _ in _codings(condition.get("clinicalStatus"))}
    verified = {code for (_, code), _ in _codings(condition.get("verificationStatus"))}
    if clinical & codes.INACTIVE_CONDITION or verified & codes.UNCONFIRMED_CONDITION:
        return []
    return [Pregnancy()]


# ---------------------------------------------------------------------------------------------
# Specimens


def _index_specimens(found: _Found, contained: object, prefix: str) -> None:
    for resource in contained if isinstance(contained, list) else []:
        is_specimen = isinstance(resource, dict) and resource.get("resourceType") == "Specimen"
        if is_specimen and isinstance(resource.get("id"), str):
            found.specimens[prefix + resource["id"]] = resource


def _index_specimen(found: _Found, specimen: Mapping[str, Any], full_url: str | None) -> None:
    if full_url:
        found.specimens[full_url] = specimen
    if isinstance(specimen.get("id"), str):
        found.specimens[f"Specimen/{specimen['id']}"] = specimen


def _check_specimen(found: _Found, observation: Mapping[str, Any], path: str) -> None:
    """Refuse a named specimen that is not blood (urine, spinal fluid): blood ranges do not fit.

    A reference that cannot be followed is left to the LOINC code (blood).
    """
    reference = observation.get("specimen")
    if not isinstance(reference, dict):
        return
    _index_specimens(found, observation.get("contained"), "#")
    specimen = found.specimens.get(str(reference.get("reference", "")), {})
    kind = specimen.get("type")
    concept: Mapping[str, Any] = kind if isinstance(kind, dict) else {}
    pairs = {pair for pair, _ in _codings(concept)}
    words = [
        text
        for text in (
            reference.get("display"),
            concept.get("text"),
            *(d for _, d in _codings(concept)),
        )
        if isinstance(text, str) and text
    ]
    if not pairs and not words:
        return
    if pairs & codes.BLOOD_SPECIMENS or any("blood" in text.lower() for text in words):
        return
    shown = quoted(words[0]) if words else "another specimen"
    raise unprocessable(
        "not-supported",
        f"The specimen is {shown}, not blood: only blood counts are interpreted here (a count "
        f"in urine or spinal fluid has its own normal values).",
        f"{path}.specimen",
    )


# ---------------------------------------------------------------------------------------------
# Helpers


def _codings(concept: object) -> list[tuple[tuple[str, str], str]]:
    """The (system, code) pairs of a CodeableConcept, each with its display ("" if none)."""
    if not isinstance(concept, dict) or not isinstance(concept.get("coding"), list):
        return []
    return [
        (
            (str(coding.get("system", "")), str(coding.get("code", ""))),
            str(coding.get("display", "")),
        )
        for coding in concept["coding"]
        if isinstance(coding, dict)
    ]


def _contained(resource: Mapping[str, Any], kind: str) -> list[Mapping[str, Any]]:
    contained = resource.get("contained")
    return [
        item
        for item in (contained if isinstance(contained, list) else [])
        if isinstance(item, dict) and item.get("resourceType") == kind
    ]


def _reference_to(observation: Mapping[str, Any], full_url: str | None) -> str | None:
    if full_url:
        return full_url
    identifier = observation.get("id")
    return f"Observation/{identifier}" if isinstance(identifier, str) else None


def _structure(text: str, where: str) -> FhirProblem:
    return FhirProblem(BAD_REQUEST, "structure", text, where)
