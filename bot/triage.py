"""How soon to get care (clinical-reference.md section 6), from judged counts and red flags.

Pure rules: a red flag can only raise the urgency, and nothing here lowers it for any reason.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot import ranges, wording
from bot.model import Analyte, Category, ClinicalContext, Finding, RedFlag, RedFlagKind, Urgency
from bot.safety import emergency_numbers

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
    emergency: list[str] = []
    same_day: list[str] = []
    signs = _flag_names(context, RedFlagKind.EMERGENCY_SIGN)
    if signs:
        emergency.append(wording.reason("emergency_sign", signs=wording.join_words(signs)))
    if fever and low_count:
        emergency.append(wording.reason(low_count, fever=_fever_words(context)))
    if fever and _young_infant(context.age_years):
        emergency.append(wording.reason("fever_young_infant", fever=_fever_words(context)))
    for finding in findings:
        key = _CRITICAL_REASONS.get((finding.analyte, finding.category))
        if key and finding.cells_per_ul is not None:
            count = wording.word(f"count_{finding.analyte.value}")
            value = ranges.format_count(finding.cells_per_ul)
            same_day.append(wording.reason(key, count=count, value=value))
    if fever and not low_count:
        key = "fever_count_not_low" if findings else "fever_no_count"
        same_day.append(wording.reason(key, fever=_fever_words(context)))
    infection_signs = _flag_names(context, RedFlagKind.INFECTION_SIGN)
    if infection_signs and low_count and not fever:
        signs_text = wording.join_words(infection_signs)
        same_day.append(wording.reason("infection_sign_low_count", signs=signs_text))
    below = context.fever_below_threshold and not fever
    if below and low_count:
        same_day.append(wording.reason("fever_below_threshold_low_count"))
    if emergency:
        # One urgency per message: the same-day reasons ("contact your doctor today") are left
        # out under an emergency lead (section 6).
        actions = [wording.reason("seek_emergency_care", numbers=emergency_numbers())]
        line = _oncology_line(context, fever and bool(low_count))
        if line:
            actions.append(wording.reason(line))
        return Urgency.EMERGENCY, _unique([*actions, *emergency])
    if same_day:
        return Urgency.SAME_DAY, _unique(same_day)
    routine = [wording.reason("routine")]
    if below:
        routine.insert(0, wording.reason("fever_below_threshold"))
    return Urgency.ROUTINE, tuple(routine)


def _young_infant(age_years: float | None) -> bool:
    """Younger than 3 months: a fever is an emergency on its own (AAP; NICE NG143)."""
    return age_years is not None and age_years < ranges.infant_fever_emergency_below_years()


def _oncology_line(context: ClinicalContext, fever_with_low_count: bool) -> str | None:
    """The cancer team's 24-hour line ([CDC]): for anyone on treatment; asked about ("On chemo?")
    when a fever comes with a low count, the usual emergency of chemotherapy; not for a sign on its
    own or a baby's fever, where the question would only get in the way."""
    if context.on_cancer_treatment:
        return "oncology_line_on_treatment"
    if fever_with_low_count and not _young_infant(context.age_years):
        return "oncology_line_if_on_treatment"
    return None


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

    A count that is low or critically low (an ANC below 1,500 whatever range judged it), cancer
    treatment, the person saying their count is low, or a count that could not be read.
    """
    if context.on_cancer_treatment:
        return "fever_cancer_treatment"
    if any(_is_low(finding) for finding in findings):
        return "fever_low_count"
    if context.says_low_count:
        return "fever_says_low_count"
    if any(finding.category in UNREAD_CATEGORIES for finding in findings):
        return "fever_unread_count"
    return None


def _is_low(finding: Finding) -> bool:
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
    typed = flag.text.strip().lower()
    if flag.start >= 0 and typed and not any(char.isdigit() for char in typed):
        return typed
    return flag.name.replace("_", " ")


def _fever_words(context: ClinicalContext) -> str:
    """ "fever", "chills", "fever and chills": the fever signs as the person gave them."""
    return wording.join_words(_flag_names(context, RedFlagKind.FEVER)) or wording.word("fever")


def _unique(reasons: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(reasons))
