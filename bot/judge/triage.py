"""How soon to get care (clinical-reference.md section 6), from judged counts and red flags.

Pure rules: a red flag can only raise the urgency, and nothing here lowers it for any reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from bot.judge.safety import emergency_numbers
from bot.model import Analyte, Category, ClinicalContext, Finding, RedFlag, RedFlagKind, Urgency
from bot.read.matchers import red_flag_specs, vocabulary
from bot.reference import ranges, wording

LOW_COUNT_CATEGORIES = frozenset({Category.CRITICALLY_LOW, Category.LOW})
UNREAD_CATEGORIES = frozenset({Category.NEEDS_UNIT, Category.IMPLAUSIBLE})
_CRITICAL_REASONS = {
    (Analyte.WBC, Category.CRITICALLY_LOW): "critically_low_wbc",
    (Analyte.ANC, Category.CRITICALLY_LOW): "critically_low_anc",
    (Analyte.WBC, Category.CRITICALLY_HIGH): "critically_high",
    (Analyte.ANC, Category.CRITICALLY_HIGH): "critically_high",
}


def assess(
    findings: Sequence[Finding], context: ClinicalContext
) -> tuple[Urgency, tuple[str, ...]]:
    """The urgency of an answer and its reasons, most serious first.

    An emergency's reasons start with what to do (seek emergency care now) before why.
    """
    fever = has_fever(context)
    low_count = _low_count_reason(findings, context)
    emergency_low = low_count if low_count not in SAME_DAY_LOW_COUNTS else None
    emergency: list[str] = []
    same_day: list[str] = []
    signs = _flag_names(context, RedFlagKind.EMERGENCY_SIGN)
    if signs:
        emergency.append(wording.reason("emergency_sign", signs=wording.join_words(signs)))
    if fever and emergency_low:
        emergency.append(_fever_reason(emergency_low, context))
    if fever and _young_infant(context.age_years):
        emergency.append(wording.reason("fever_young_infant", fever=_fever_words(context)))
    emergency.extend(_on_treatment_reasons(context))
    for finding in findings:
        key = _CRITICAL_REASONS.get((finding.analyte, finding.category))
        if key and finding.cells_per_ul is not None:
            count = wording.word(f"count_{finding.analyte.value}")
            value = ranges.format_count(finding.cells_per_ul)
            same_day.append(wording.reason(key, count=count, value=value))
    if fever and not emergency_low:
        same_day.extend(_fever_same_day(findings, context, low_count))
    infection_signs = _flag_names(context, RedFlagKind.INFECTION_SIGN)
    if infection_signs and low_count and not fever:
        signs_text = wording.join_words(infection_signs)
        same_day.append(wording.reason("infection_sign_low_count", signs=signs_text))
    dehydration = _flag_names(context, RedFlagKind.DEHYDRATION)
    if dehydration:
        same_day.append(wording.reason("dehydration", signs=wording.join_words(dehydration)))
    below = context.fever_below_threshold and not fever
    if _team_fever(context, fever):  # on treatment, 37.5-37.9 °C: the team's own number
        same_day.append(wording.reason("team_fever_threshold", treatment=_treatment(context)))
    elif below and low_count:
        same_day.append(wording.reason("fever_below_threshold_low_count"))
    if emergency:
        # One urgency per message: the same-day reasons ("contact your doctor today") are left
        # out under an emergency lead (section 6).
        actions = [wording.reason("seek_emergency_care", numbers=emergency_numbers())]
        line = _oncology_line(context, fever and bool(emergency_low))
        if line:
            actions.append(line)
        return Urgency.EMERGENCY, _unique([*actions, *emergency])
    if same_day:
        return Urgency.SAME_DAY, _unique(same_day)
    routine = [wording.reason("routine")]
    if fever:
        routine.insert(0, wording.reason("fever_when_to_call"))
        if context.temperature_c is not None:  # "Is 38.0 a fever?": yes (section 5)
            measured = f"{context.temperature_c:.1f} °C"
            routine.insert(0, wording.reason("fever_at_threshold", temperature=measured))
    elif below:
        routine.insert(0, wording.reason("fever_below_threshold"))
    return Urgency.ROUTINE, tuple(routine)


MILD_NEUTROPENIA = "fever_mild_neutropenia"
# With a fever and no treatment, these low counts call for a doctor today, not 911 (section 6).
SAME_DAY_LOW_COUNTS = frozenset({MILD_NEUTROPENIA})


def _fever_reason(key: str, context: ClinicalContext) -> str:
    fever = _fever_words(context)
    if key == "fever_cancer_treatment":
        return wording.reason(key, fever=fever, treatment=_treatment(context))
    return wording.reason(key, fever=fever)


def _fever_same_day(
    findings: Sequence[Finding], context: ClinicalContext, low_count: str | None
) -> list[str]:
    """Return the same-day reasons for a fever that is not an emergency.

    That is a fever with mild neutropenia, a count just below the range or above it, 39.4 °C or
    more, or more than 3 days (section 6; MedlinePlus, Fever).
    """
    fever = _fever_words(context)
    if low_count in SAME_DAY_LOW_COUNTS:
        return [wording.reason(low_count, fever=fever)]
    if any(
        finding.category in _SAME_DAY_WITH_FEVER or _low_for_pregnancy_only(finding)
        for finding in findings
    ):
        return [wording.reason("fever_count_not_low", fever=fever)]
    age = ranges.known_age(context.age_years)
    temperature = context.temperature_c
    baby = age is not None and age < ranges.baby_fever_same_day_below_years()
    if baby and temperature is not None and temperature >= ranges.baby_fever_high_from_c():
        return [wording.reason("fever_baby", fever=fever)]
    hot = temperature is not None and temperature >= ranges.fever_high_from_c()
    long = any(flag.kind is RedFlagKind.FEVER_DURATION for flag in context.red_flags)
    if hot or long:
        return [wording.reason("fever_high_or_long", fever=fever)]
    return []


# A fever with a count just below the usual range or above it: the same day (a high count with
# a fever is a project decision above section 6's table, docs/clinical-reference.md).
_SAME_DAY_WITH_FEVER = frozenset({Category.BORDERLINE_LOW, Category.HIGH, Category.CRITICALLY_HIGH})


def _on_treatment_reasons(context: ClinicalContext) -> list[str]:
    """Return the emergency reasons for someone on cancer treatment or an immune-lowering medicine.

    Feeling unwell, or a temperature below 36 °C, is an emergency for them even without a fever
    (NICE CG151).
    """
    if not context.on_cancer_treatment:
        return []
    reasons = []
    treatment = _treatment(context)
    if _flag_names(context, RedFlagKind.UNWELL):
        reasons.append(wording.reason("unwell_on_treatment", treatment=treatment))
    cold = context.temperature_c is not None and context.temperature_c < ranges.too_cold_below_c()
    if cold:
        reasons.append(wording.reason("too_cold_on_treatment", treatment=treatment))
    return reasons


def _team_fever(context: ClinicalContext, fever: bool) -> bool:
    """On treatment, a temperature from the lower number many teams use (37.5 °C) to 38.0 °C."""
    temperature = context.temperature_c
    return (
        context.on_cancer_treatment
        and not fever
        and temperature is not None
        and ranges.team_fever_from_c() <= temperature < ranges.fever_threshold_c()
    )


def _young_infant(age_years: float | None) -> bool:
    """Younger than 3 months: a fever is an emergency on its own (AAP; NICE NG143)."""
    return age_years is not None and age_years < ranges.infant_fever_emergency_below_years()


def _oncology_line(context: ClinicalContext, fever_with_low_count: bool) -> str | None:
    """Return the advice to call the cancer team's 24-hour line ([CDC]), or None.

    For anyone on treatment it names the treatment for the person it is about. When a fever comes
    with a low count, the usual emergency of chemotherapy, it is said as a condition ("If you are on
    chemo"). Not for a sign on its own or a baby's fever.
    """
    who = wording.person(context.relative, context.sex)
    if context.on_cancer_treatment:
        treatment = _treatment(context)
        if treatment in _cancer_treatment_words():
            return wording.reason("oncology_line_on_treatment", who_is=who.is_, treatment=treatment)
        return wording.reason(
            "prescriber_line_on_medicine", who_takes=who.takes, treatment=treatment
        )
    if fever_with_low_count and not _young_infant(context.age_years):
        return wording.reason("oncology_line_if_on_treatment", who_is=who.is_)
    return None


@cache
def _says() -> dict[str, str]:
    return {spec.name: spec.says for spec in red_flag_specs() if spec.says}


@cache
def _cancer_treatment_words() -> frozenset[str]:
    return frozenset(str(word).lower() for word in vocabulary()["cancer_treatment"])


def _treatment(context: ClinicalContext) -> str:
    return context.treatment or wording.word("chemo")


def has_fever(context: ClinicalContext) -> bool:
    """A fever word, chills, shaking or rigors, or a temperature of 38.0 °C or more (CDC)."""
    if context.has_fever_sign:
        return True
    temperature = context.temperature_c
    return temperature is not None and temperature >= ranges.fever_threshold_c()


def in_low_count_context(findings: Sequence[Finding], context: ClinicalContext) -> bool:
    """True when fever would make this an emergency (section 6's low-count context)."""
    return _low_count_reason(findings, context) is not None


def _low_count_reason(findings: Sequence[Finding], context: ClinicalContext) -> str | None:
    """Which low-count context holds, as the key of its fever reason, most telling first.

    Emergencies with a fever: cancer treatment; a low white count or an ANC below 1,000
    (whatever range judged it); the person saying their count is low without a number; a count
    that could not be read. Same day with a fever (section 6): an ANC of 1,000 to 1,499
    (MILD_NEUTROPENIA).
    """
    if context.on_cancer_treatment:
        return "fever_cancer_treatment"
    low = [finding for finding in findings if _is_low(finding)]
    if any(_severely_low(finding) for finding in low):
        return "fever_low_count"
    if context.says_low_count and not findings:  # a count given is judged by its number
        return "fever_says_low_count"
    if any(finding.category in UNREAD_CATEGORIES for finding in findings):
        return "fever_unread_count"
    if low:
        return MILD_NEUTROPENIA
    return None


def _severely_low(finding: Finding) -> bool:
    """Tell whether a count is low enough that a fever with it is an emergency.

    That is a low or critically low white count (a project decision above section 6's table,
    docs/clinical-reference.md), or an ANC below 1,000.
    """
    if finding.analyte is Analyte.ANC:
        return not _mild_neutropenia(finding)
    return finding.category in LOW_COUNT_CATEGORIES


def _low_for_pregnancy_only(finding: Finding) -> bool:
    """Tell whether a white count is low only by the pregnancy range, not by the adult table.

    For example 5,000 in the second trimester. With a fever it is seen the same day; it is not the
    emergency of a low count.
    """
    if finding.reference.basis != ranges.BASIS_PREGNANCY or finding.cells_per_ul is None:
        return False
    if finding.analyte is not Analyte.WBC or finding.category not in LOW_COUNT_CATEGORIES:
        return False
    adult = ranges.adult_row(Analyte.WBC, ranges.whole_cells(finding.cells_per_ul))
    return adult.category not in LOW_COUNT_CATEGORIES


def _mild_neutropenia(finding: Finding) -> bool:
    """An ANC of 1,000 to 1,499: with a fever and no treatment, the same day (section 6)."""
    return (
        finding.analyte is Analyte.ANC
        and finding.cells_per_ul is not None
        and ranges.whole_cells(finding.cells_per_ul) >= ranges.emergency_anc_below()
    )


def _is_low(finding: Finding) -> bool:
    if _low_for_pregnancy_only(finding):
        return False  # a fever with it: the same day (`_fever_same_day`)
    if finding.category in LOW_COUNT_CATEGORIES:
        return True
    return (
        finding.analyte is Analyte.ANC
        and finding.category not in UNREAD_CATEGORIES
        and finding.cells_per_ul is not None
        and ranges.whole_cells(finding.cells_per_ul) < ranges.neutropenia_below()
    )


def _flag_names(context: ClinicalContext, kind: RedFlagKind) -> list[str]:
    """The red flags of one kind in the person's own words ("mouth sores"), else by name."""
    names = (_words(flag) for flag in context.red_flags if flag.kind is kind)
    return list(dict.fromkeys(names))


def _words(flag: RedFlag) -> str:
    says = _says().get(flag.name)
    if says:
        return says
    typed = flag.text.strip().lower()
    if flag.start >= 0 and typed and not any(char.isdigit() for char in typed):
        return typed
    return flag.name.replace("_", " ")


def _fever_words(context: ClinicalContext) -> str:
    """Name the fever signs as the person gave them: "fever", "chills", "fever and chills"."""
    return wording.join_words(_flag_names(context, RedFlagKind.FEVER)) or wording.word("fever")


def _unique(reasons: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(reasons))
