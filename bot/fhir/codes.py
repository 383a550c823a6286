"""The codes the FHIR interpreter reads and writes (docs/fhir.md lists them, with their meaning).

LOINC for what was measured, UCUM for units, HL7 v3 ObservationInterpretation for the verdict,
SNOMED CT for pregnancy and blood specimens.
"""

from __future__ import annotations

from bot.model import Analyte, Category

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
SNOMED = "http://snomed.info/sct"
V3_INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
REFERENCE_RANGE_MEANING = "http://terminology.hl7.org/CodeSystem/referencerange-meaning"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
V2_SPECIMEN = "http://terminology.hl7.org/CodeSystem/v2-0487"

# What a count's LOINC code measures, with the display LOINC gives it.
COUNT_CODES: dict[str, tuple[Analyte, str]] = {
    "6690-2": (Analyte.WBC, "Leukocytes [#/volume] in Blood by Automated count"),
    "26464-8": (Analyte.WBC, "Leukocytes [#/volume] in Blood"),
    "751-8": (Analyte.ANC, "Neutrophils [#/volume] in Blood by Automated count"),
    "753-4": (Analyte.ANC, "Neutrophils [#/volume] in Blood by Manual count"),
    "26499-4": (Analyte.ANC, "Neutrophils [#/volume] in Blood"),
}
NEUTROPHIL_PERCENT_CODE = "770-8"  # Neutrophils/100 leukocytes in Blood by Automated count
NEUTROPHIL_PERCENT_DISPLAY = "Neutrophils/100 leukocytes in Blood by Automated count"
COMPUTED_ANC_CODE = "26499-4"  # no method: the ANC worked out from a white count and a share
SUPPORTED_CODES = (*COUNT_CODES, NEUTROPHIL_PERCENT_CODE)

# Pregnancy in a Bundle: a pregnancy status (LOINC 82810-3) answered with one of these, a
# gestational age (LOINC 11884-4 or 49051-6), or an active Condition "Pregnancy" (SNOMED).
PREGNANCY_STATUS_CODE = "82810-3"
GESTATIONAL_AGE_CODES = frozenset({"11884-4", "49051-6"})
PREGNANT_ANSWERS = frozenset({(SNOMED, "77386006"), (LOINC, "LA15173-0")})
NOT_PREGNANT_ANSWERS = frozenset({(SNOMED, "60001007"), (LOINC, "LA26683-5")})
PREGNANCY_CONDITION = (SNOMED, "77386006")
INACTIVE_CONDITION = frozenset({"inactive", "remission", "resolved"})
UNCONFIRMED_CONDITION = frozenset({"refuted", "entered-in-error"})

# Specimens that are blood: SNOMED CT specimen codes and HL7 v2 table 0487 codes.
BLOOD_SPECIMENS = frozenset(
    {
        (SNOMED, "119297000"),  # Blood specimen
        (SNOMED, "122555007"),  # Venous blood specimen
        (SNOMED, "122554006"),  # Capillary blood specimen
        (SNOMED, "122552005"),  # Arterial blood specimen
        (SNOMED, "258580003"),  # Whole blood sample
        (V2_SPECIMEN, "BLD"),
        (V2_SPECIMEN, "BLDV"),
        (V2_SPECIMEN, "BLDC"),
        (V2_SPECIMEN, "BLDA"),
    }
)

# The verdict as HL7 v3 ObservationInterpretation: code and display.
INTERPRETATION: dict[Category, tuple[str, str]] = {
    Category.CRITICALLY_LOW: ("LL", "Critical low"),
    Category.LOW: ("L", "Low"),
    Category.BORDERLINE_LOW: ("L", "Low"),  # below the lower limit, if only just
    Category.NORMAL: ("N", "Normal"),
    Category.HIGH: ("H", "High"),
    Category.CRITICALLY_HIGH: ("HH", "Critical high"),
}
# A lab's own flag on the Observation, as the chat reads "L" or "H" beside a value.
LAB_FLAGS_LOW = frozenset({"L", "LL", "LU"})
LAB_FLAGS_HIGH = frozenset({"H", "HH", "HU"})

# Observation.status values that are not a result to interpret.
NOT_A_RESULT = frozenset({"entered-in-error", "cancelled"})
