"""Value objects shared by the readers and the judges.

The readers are values.py and clinical_context.py; the judges are interpret.py and triage.py.

Counts are always carried in cells per microliter (cells/µL), the unit the answers speak in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # spaCy is imported on first use, so `import bot` stays cheap
    from spacy.tokens import Doc


class Analyte(str, Enum):
    """What a count measures."""

    WBC = "wbc"
    ANC = "anc"


class Category(str, Enum):
    """How a count compares with its reference range (clinical-reference.md sections 1-4)."""

    CRITICALLY_LOW = "critically_low"
    LOW = "low"
    BORDERLINE_LOW = "borderline_low"
    NORMAL = "normal"
    HIGH = "high"
    CRITICALLY_HIGH = "critically_high"
    NEEDS_UNIT = "needs_unit"
    IMPLAUSIBLE = "implausible"


class Grade(str, Enum):
    """Neutropenia grade (IDSA; CTCAE grades match)."""

    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"


class Urgency(str, Enum):
    """How soon the person should get care (clinical-reference.md section 6)."""

    EMERGENCY = "emergency"
    SAME_DAY = "same_day"
    ROUTINE = "routine"


class Sex(str, Enum):
    """The person's sex, when a message or a FHIR Patient gives it: some ranges differ by sex."""

    FEMALE = "female"
    MALE = "male"


class LabFlag(str, Enum):
    """The H/L flag a lab prints beside a value."""

    LOW = "L"
    HIGH = "H"


class Subject(str, Enum):
    """What a question is about: the NLU entity and slot `subject` (docs/understanding.md).

    The answer to a question type is chosen by (question type, subject); LEUKOPENIA is the default.
    """

    LEUKOPENIA = "leukopenia"  # a low white count in general
    NEUTROPENIA = "neutropenia"  # neutrophils, ANC, agranulocytosis, cyclic or congenital
    CHEMOTHERAPY = "chemotherapy"  # any cancer treatment
    CHILDREN = "children"  # babies to teenagers
    HIGH_COUNT = "high_count"  # a high white count


class RedFlagKind(str, Enum):
    """Why a symptom matters (clinical-reference.md section 5)."""

    FEVER = "fever"  # fever, chills, shaking, rigors: an emergency with a low-count context
    EMERGENCY_SIGN = "emergency_sign"  # an emergency on its own
    INFECTION_SIGN = "infection_sign"  # same-day with a low-count context
    UNWELL = "unwell"  # an emergency on cancer treatment or an immune-lowering medicine
    DEHYDRATION = "dehydration"  # a baby's or young child's dehydration sign: same day
    FEVER_DURATION = "fever_duration"  # a fever of more than 3 days (MedlinePlus): same day


@dataclass(frozen=True)
class LabRange:
    """A reference range printed on the person's own report, converted to cells/µL."""

    low: float
    high: float


@dataclass(frozen=True)
class LabValue:
    """A white count or absolute neutrophil count found in text, read into cells/µL.

    `cells_per_ul` is None when the value cannot be read without a unit (needs_unit).
    It is the value as written otherwise, even when that is implausible (0, 3,200,000,000).
    """

    analyte: Analyte
    text: str  # the value as typed, with its unit when one was typed
    start: int  # character offset of `text` in the message
    cells_per_ul: float | None
    unit_assumed: bool = False
    lab_range: LabRange | None = None
    lab_flag: LabFlag | None = None
    # "went from 6.2 to 3.9": the reading before this one, on this (the latest, judged) reading.
    previous_cells_per_ul: float | None = None
    # "6.4 in May, 4.9 in August, 3.3 now": every reading before this one, oldest first.
    earlier_in_message: tuple[float, ...] = ()
    # The counts of this kind the conversation had before this one, oldest first: the small
    # marks of its range picture (bot/range_picture). Kept with the count, so no new slot.
    earlier_cells_per_ul: tuple[float, ...] = ()


@dataclass(frozen=True)
class NeutrophilShare:
    """A percentage from a differential: segmented neutrophils or bands."""

    kind: str  # "neutrophils" | "bands"
    percent: float
    text: str
    start: int


@dataclass(frozen=True)
class Pregnancy:
    """The person asked about is pregnant; `weeks` when the message says how far along."""

    weeks: float | None = None

    def trimester(self, second_from: float, third_from: float) -> str:
        """Name the trimester: "first", "second", "third", or "unknown" without the weeks."""
        if self.weeks is None:
            return "unknown"
        if self.weeks < second_from:
            return "first"
        return "second" if self.weeks < third_from else "third"


FEVER_SIGN_NAMES = frozenset({"rigors"})  # emergency signs that are fever signs too


@dataclass(frozen=True)
class RedFlag:
    """A symptom found in text (not negated)."""

    name: str  # e.g. "fever", "chills", "trouble_breathing", "sore_throat"
    kind: RedFlagKind
    text: str
    start: int


@dataclass(frozen=True)
class ClinicalContext:
    """What the text says about the person apart from lab values."""

    temperature_c: float | None = None
    red_flags: tuple[RedFlag, ...] = ()
    on_cancer_treatment: bool = False  # or a medicine that lowers the immune system
    treatment: str | None = None  # as named: "chemo", "clozapine"
    says_low_count: bool = False  # "I have leukopenia / neutropenia", "my counts are low"
    negated: tuple[
        str, ...
    ] = ()  # red flags and "cancer_treatment" the person said they do not have
    age_years: float | None = None
    sex: Sex | None = None
    relative: str | None = None  # whose count it is when not the writer's: "daughter", "child"
    # A fever the person named while the temperature they gave is below the threshold.
    fever_below_threshold: bool = False
    other_specimen: str | None = None  # "urine", "spinal fluid": counts not from blood
    pregnancy: Pregnancy | None = None  # the count is judged against pregnancy's range

    @property
    def has_fever_sign(self) -> bool:
        """Fever (38.0 °C or more, or a fever word), chills, shaking or rigors."""
        return any(
            flag.kind is RedFlagKind.FEVER or flag.name in FEVER_SIGN_NAMES
            for flag in self.red_flags
        )


@dataclass(frozen=True)
class ParsedText:
    """Everything read from one message in one pass."""

    text: str
    values: tuple[LabValue, ...] = ()
    neutrophil_shares: tuple[NeutrophilShare, ...] = ()
    context: ClinicalContext = field(default_factory=ClinicalContext)
    # The tokens of `text` (a spaCy Doc), so that later steps of the turn read the same tokens
    # instead of cutting the text again; None for a reading built without text.
    tokens: Doc | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class ReferenceRange:
    """The range a value was judged against, with where it comes from."""

    low: float
    high: float
    basis: str  # "adult" | "pediatric band" | "lab report"
    source: str
    label: str = ""  # e.g. "2 to under 6 years"; empty for adults and lab ranges
    source_keys: tuple[str, ...] = ()  # keys of data/sources.csv, for titles and links


@dataclass(frozen=True)
class Finding:
    """One judged count."""

    analyte: Analyte
    text: str
    start: int
    cells_per_ul: float | None
    unit_assumed: bool
    category: Category
    grade: Grade | None
    reference: ReferenceRange
    computed: bool = False  # an ANC computed from WBC x (% neutrophils + % bands)
    lab_flag: LabFlag | None = None
    previous_cells_per_ul: float | None = None  # "went from 6.2 to 3.9": the earlier reading
    earlier_in_message: tuple[
        float, ...
    ] = ()  # every reading before it in the message, oldest first


@dataclass(frozen=True)
class Interpretation:
    """The judgement of one message: findings in text order, urgency and its reasons."""

    findings: tuple[Finding, ...]
    context: ClinicalContext
    urgency: Urgency
    reasons: tuple[str, ...]  # most serious first
    notes: tuple[str, ...] = ()  # range disagreements, a question to ask (age, unit), lab flags
    questions: tuple[str, ...] = ()  # what to ask the person next: "unit", "age"
