"""The sourced reference data (bot/data/) and its lookups in bot/reference/ranges.py."""

from __future__ import annotations

import math
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.errors import ReferenceDataError
from bot.judge.interpret import interpret
from bot.model import Analyte, LabRange, Sex
from bot.read.ages import find_ages
from bot.read.parse import parse_text
from bot.reference import ranges, tables, units, wording
from bot.reply.links import citable
from bot.reply.verdicts import reading, verdict

DAY = 1 / 365.25
MONTH = 1 / 12


@pytest.fixture
def data_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A writable copy of bot/data/ that the tables are read from instead of the real one."""
    for path in tables.DATA_DIR.iterdir():
        if path.is_file():
            shutil.copy(path, tmp_path / path.name)
    monkeypatch.setattr(tables, "DATA_DIR", tmp_path)
    tables.tables.cache_clear()
    yield tmp_path
    tables.tables.cache_clear()


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


# --- the data as read ---------------------------------------------------------------------------


def test_every_data_file_loads_and_checks() -> None:
    """The shipped data files pass every check."""
    tables.check_data()


@pytest.mark.parametrize("analyte", list(Analyte), ids=lambda a: a.value)
def test_adult_table_covers_every_count_once(analyte: Analyte) -> None:
    """Each whole count from 0 to past the top row falls in exactly one adult row."""
    rows = ranges.adult_rows(analyte)
    edges = {0, 1_000_000}
    for row in rows:
        edges |= {edge for edge in (row.lowest, row.highest) if edge is not None}
    for count in sorted(edges | {edge + 1 for edge in edges} | {edge - 1 for edge in edges}):
        if count >= 0:
            assert sum(row.holds(count) for row in rows) == 1, count


def test_every_row_names_a_known_source() -> None:
    """Every row of every table cites at least one source listed in sources.csv."""
    known = tables.sources()
    cited = [
        *(row.sources for analyte in Analyte for row in ranges.adult_rows(analyte)),
        *(band.sources for analyte in Analyte for band in ranges.pediatric_bands(analyte)),
    ]
    for keys in cited:
        assert keys and all(key in known for key in keys)


def test_sources_have_full_names() -> None:
    """A source key resolves to a full name that a reference range can print."""
    assert "Mayo Clinic" in tables.source_names(["MAYO-DEF"])
    assert tables.source_names(["PEDS", "PEDS"]).count("Dallman") == 1


def test_only_publications_are_linked() -> None:
    """Basis-only keys (the project's rules, lab lists, the person's report) are never links."""
    assert citable(["CDC", "CLINREF", "IDSA", "LAB-REPORT", "CDC"]) == ["CDC", "IDSA"]


# --- which range applies ------------------------------------------------------------------------

WBC_BAND_BY_AGE = [
    (0.0, "0 to 6 days"),
    (6 * DAY, "0 to 6 days"),
    (7 * DAY, "7 days to under 1 month"),
    (30 * DAY, "7 days to under 1 month"),
    (1 * MONTH, "1 to under 6 months"),
    (5.99 * MONTH, "1 to under 6 months"),
    (0.5, "6 months to under 1 year"),
    (364 * DAY, "6 months to under 1 year"),
    (1.0, "1 to under 2 years"),
    (1.99, "1 to under 2 years"),
    (2.0, "2 to under 6 years"),
    (5.99, "2 to under 6 years"),
    (6.0, "6 to under 12 years"),
    (11.99, "6 to under 12 years"),
    (12.0, "12 to under 18 years"),
    (17.99, "12 to under 18 years"),
]


@pytest.mark.parametrize(
    ("age", "label"), WBC_BAND_BY_AGE, ids=[f"{age:.4f}y" for age, _ in WBC_BAND_BY_AGE]
)
def test_white_count_band_by_age(age: float, label: str) -> None:
    """Band edges by age: 6 vs 7 days, 5.99 vs 6 years, 17.99 years is still a child."""
    reference = ranges.wbc_reference(age, None)
    assert (reference.basis, reference.label) == ("pediatric band", label)


@pytest.mark.parametrize("age", [18.0, 18.01, 45.0, 120.0, None, -1.0, math.nan, math.inf])
def test_adults_and_unknown_ages_get_the_adult_range(age: float | None) -> None:
    """18 and over, an unknown age, and an age that cannot be right all use the adult range."""
    reference = ranges.wbc_reference(age, None)
    assert (reference.low, reference.high, reference.basis, reference.label) == (
        4500,
        11000,
        "adult",
        "",
    )
    assert "MedlinePlus" in reference.source


@pytest.mark.parametrize(
    "band", ranges.pediatric_bands(Analyte.WBC), ids=lambda band: band.label.replace(" ", "_")
)
def test_each_band_is_found_at_its_first_age(band: ranges.PediatricBand) -> None:
    """Every row of pediatric_bands.csv is reachable from its own first day and gives its limits."""
    for age in (band.from_years, (band.from_years + band.below_years) / 2):
        reference = ranges.wbc_reference(age, None)
        assert (reference.low, reference.high, reference.label) == (band.low, band.high, band.label)
        assert "Dallman" in reference.source
    assert ranges.pediatric_band(Analyte.WBC, band.below_years) != band


INFANT, CHILD = "2 weeks to under 1 year", "1 to under 18 years"
# (id, age in years, lower limit, basis, band label): section 3 of the clinical reference.
ANC_BY_AGE = [
    ("13d", 13 * DAY, 1500, "adult", ""),  # no child's band under 2 weeks: the adult limits
    ("14d", 14 * DAY, 1000, "pediatric band", INFANT),
    ("6m", 0.5, 1000, "pediatric band", INFANT),
    ("8m", 8 * MONTH, 1000, "pediatric band", INFANT),
    ("364d", 364 * DAY, 1000, "pediatric band", INFANT),
    ("1y", 1.0, 1500, "pediatric band", CHILD),
    ("3y", 3.0, 1500, "pediatric band", CHILD),
    ("17.99y", 17.99, 1500, "pediatric band", CHILD),
    ("18y", 18.0, 1500, "adult", ""),
    ("unknown", None, 1500, "adult", ""),
    ("30y", 30.0, 1500, "adult", ""),
]


@pytest.mark.parametrize(
    ("age", "low", "basis", "label"),
    [case[1:] for case in ANC_BY_AGE],
    ids=[c[0] for c in ANC_BY_AGE],
)
def test_neutrophil_limits_by_age(age: float | None, low: float, basis: str, label: str) -> None:
    """Neutrophil limits by age.

    Infants from 14 days to under 1 year have an ANC lower limit of 1,000; older children have a
    band of their own with the adult limits; adults and unknown ages the adult range.
    """
    reference = ranges.anc_reference(age, None)
    assert (reference.low, reference.high, reference.basis, reference.label) == (
        low,
        7700,
        basis,
        label,
    )


# (id, message, age in years, what the verdict must say): a child's ANC is never judged "for an
# adult"; an ANC of 1,200 is normal from 2 weeks to 1 year and low for older children.
ANC_VERDICTS = [
    ("8-month-old", "ANC 1.2", 8 * MONTH, "is normal for an 8-month-old"),
    ("6-month-old", "ANC 1.2", 0.5, "is normal for a 6-month-old"),
    ("3-year-old", "ANC 1.2", 3.0, "is low for a 3-year-old"),
    ("10-year-old", "ANC 800", 10.0, "is low for a 10-year-old"),
    ("5-day-old", "ANC 1.2", 5 * DAY, "is low by the adult range, 1,500 to 7,700"),
    ("adult", "ANC 1.2", 30.0, "is low for an adult"),
    ("unknown age", "ANC 1.2", None, "is low for an adult"),
]


@pytest.mark.parametrize(
    ("text", "age", "says"), [case[1:] for case in ANC_VERDICTS], ids=[c[0] for c in ANC_VERDICTS]
)
def test_a_childs_neutrophil_count_is_never_judged_for_an_adult(
    text: str, age: float | None, says: str
) -> None:
    """A child's neutrophil count is never judged for an adult.

    The verdict names the child's age or says the adult range was used; "for an adult" only for an
    adult or an unknown age.
    """
    interpretation = interpret(parse_text(text), age_years=age)
    (finding,) = interpretation.findings
    sentence = verdict(finding, None, age)
    assert says in sentence
    if age is not None and age < 18:
        assert "for an adult" not in reading(interpretation).text


def test_ages_read_from_text_land_in_the_same_band() -> None:
    """An age read from text ("14 day old") converts to years exactly as the band edges do."""
    (age,) = find_ages("my 14 day old baby")
    assert ranges.pediatric_band(Analyte.ANC, age.years) is not None
    (age,) = find_ages("my 7 day old baby")
    assert ranges.wbc_reference(age.years, None).label == "7 days to under 1 month"


def test_lab_range_decides_when_it_can_be_right() -> None:
    """The printed range wins over age; a printed range that cannot be right is ignored."""
    lab = ranges.wbc_reference(3.0, LabRange(3400, 9600))
    assert (lab.low, lab.high, lab.basis, lab.label) == (3400, 9600, "lab report", "")
    assert "lab report" in lab.source
    assert ranges.anc_reference(None, LabRange(1800, 7000)).basis == "lab report"
    for broken in (LabRange(9600, 3400), LabRange(-1, 10), LabRange(5, math.inf)):
        assert ranges.wbc_reference(None, broken).basis == "adult"


@pytest.mark.parametrize(
    ("sex", "low", "high", "group"),
    [(Sex.MALE, 5000, 10000, "men"), (Sex.FEMALE, 4500, 11000, "women")],
    ids=["men", "women"],
)
def test_cleveland_clinic_range_by_sex(sex: Sex, low: int, high: int, group: str) -> None:
    """CC: men 5,000-10,000, women 4,500-11,000."""
    reference = ranges.sex_specific_range(sex)
    assert (reference.low, reference.high, reference.label) == (low, high, group)
    assert "Cleveland Clinic" in reference.source


# --- limits -------------------------------------------------------------------------------------

PLAUSIBILITY = [
    (Analyte.WBC, 0.0, False),
    (Analyte.WBC, 0.4, False),
    (Analyte.WBC, 1.0, True),
    (Analyte.WBC, -3000.0, False),
    (Analyte.WBC, 1_000_000.0, True),
    (Analyte.WBC, 1_000_001.0, False),
    (Analyte.WBC, 3_200_000_000.0, False),
    (Analyte.WBC, math.nan, False),
    (Analyte.WBC, math.inf, False),
    (Analyte.ANC, 0.0, True),
    (Analyte.ANC, -1.0, False),
    (Analyte.ANC, 1_000_001.0, False),
]


@pytest.mark.parametrize(
    ("analyte", "cells", "plausible"),
    PLAUSIBILITY,
    ids=[f"{a.value}-{c:g}" for a, c, _ in PLAUSIBILITY],
)
def test_plausible_counts(analyte: Analyte, cells: float, plausible: bool) -> None:
    """Zero, negative and above 1,000,000/µL are implausible; an ANC of 0 is real (severe)."""
    assert ranges.is_plausible(analyte, cells) is plausible


@pytest.mark.parametrize(
    ("cells", "whole"), [(1499.4, 1499), (1499.5, 1500), (1999.99, 2000), (0.49, 0)]
)
def test_counts_round_half_up_to_whole_cells(cells: float, whole: int) -> None:
    """Tables are in whole cells; a computed 1,499.5 is printed and judged as 1,500."""
    assert ranges.whole_cells(cells) == whole


def test_single_limits() -> None:
    """Fever at 38.0 °C (CDC), neutropenia below 1,500 (CTCAE), mildly low from 3,000."""
    assert ranges.fever_threshold_c() == 38.0
    assert ranges.neutropenia_below() == 1500
    assert ranges.mildly_low_wbc_from() == 3000
    assert ranges.format_count(3_200_000.4) == "3,200,000"


@pytest.mark.parametrize(
    ("amount", "unit", "years"),
    [(14, "days", 14 / 365.25), (2, "weeks", 14 / 365.25), (6, "months", 0.5), (18, "years", 18)],
)
def test_years_of_age(amount: float, unit: str, years: float) -> None:
    """Days, weeks, months and years convert the same way bot.read.ages does."""
    assert units.years_of_age(amount, unit) == pytest.approx(years)


def test_years_of_age_refuses_unknown_units() -> None:
    """An age in fortnights is a data error, not a silent guess."""
    with pytest.raises(ValueError, match="fortnights"):
        units.years_of_age(1, "fortnights")


# --- wording ------------------------------------------------------------------------------------


def test_reasons_are_plain_sentences_with_their_sources_kept() -> None:
    """A reason reads as plain text (no brackets); its sources travel with it for the links."""
    text = wording.reason("fever_low_count", fever="fever")
    assert text == "Fever with a low white count can mean a bad infection."
    assert wording.source_keys_of(text) == ("CDC", "IDSA")
    assert wording.key_of(text) == "fever_low_count"


def test_uncited_wording_has_no_brackets() -> None:
    """Project conventions are not cited to users."""
    text = wording.note("implausible", text="WBC 0")
    assert not any(
        f"({source.short})" in text for source in tables.sources().values() if source.short
    )


def test_words_fill_their_fields() -> None:
    """Words may be templates too."""
    assert wording.word("range_pediatric", label="2 to under 6 years").endswith("6 years")


@pytest.mark.parametrize(
    ("lookup", "message"),
    [
        (lambda: wording.reason("no_such_reason"), "reasons.no_such_reason is missing"),
        (lambda: wording.note("no_such_note"), "notes.no_such_note is missing"),
        (lambda: wording.word("no_such_word"), "words.no_such_word is missing"),
        (lambda: wording.reason("emergency_sign"), "emergency_sign asks for 'signs'"),
    ],
    ids=["reason", "note", "word", "field"],
)
def test_wording_that_code_and_data_disagree_on_is_a_data_error(
    lookup: object, message: str
) -> None:
    """A missing entry or field names the file and entry instead of a bare KeyError."""
    assert callable(lookup)
    with pytest.raises(ReferenceDataError, match=message):
        lookup()


@pytest.mark.parametrize(
    ("items", "joined"),
    [([], ""), (["a"], "a"), (["a", "b"], "a and b"), (["a", "b", "c"], "a, b and c")],
    ids=["none", "one", "two", "three"],
)
def test_join_words(items: list[str], joined: str) -> None:
    """Lists read as English."""
    assert wording.join_words(items) == joined


# --- checks on bad data -------------------------------------------------------------------------

ADULT, BANDS, SEX, LIMITS, SOURCES, WORDING = (
    "adult_categories.csv",
    "pediatric_bands.csv",
    "sex_ranges.csv",
    "limits.csv",
    "sources.csv",
    "wording.yml",
)
# (what is wrong, file, text, replaced by, part of the error message)
BAD_DATA = [
    ("gap", ADULT, "wbc,low,,2000,", "wbc,low,,2001,", "no gap or overlap"),
    ("overlap", ADULT, "anc,normal,,1500,", "anc,normal,,1400,", "no gap or overlap"),
    ("lowest-above-highest", ADULT, "2000,3999,MAYO", "3000,2999,MAYO", "lowest is above"),
    ("first-row-bounded", ADULT, "critically_low,,,1999", "critically_low,,0,1999", "first row"),
    (
        "last-row-bounded",
        ADULT,
        "critically_high,,30000,",
        "critically_high,,30000,40000",
        "last row",
    ),
    ("two-normal-rows", ADULT, "wbc,high,", "wbc,normal,", "exactly one normal"),
    ("no-anc-rows", ADULT, "\nanc,", "\n# anc,", "no rows for anc"),
    ("unknown-category", ADULT, "wbc,borderline_low", "wbc,borderline", "is not one of"),
    ("needs-unit-row", ADULT, "wbc,borderline_low", "wbc,needs_unit", "not a range of counts"),
    ("unknown-grade", ADULT, "anc,low,mild", "anc,low,slight", "is not one of"),
    ("not-whole", ADULT, "4500,11000", "4500.5,11000", "not a whole number"),
    ("unknown-source", BANDS, "9000,30000,PEDS", "9000,30000,PEDZ", "unknown source PEDZ"),
    ("empty-source", BANDS, "9000,30000,PEDS", "9000,30000,PEDS;", "unknown source (empty)"),
    ("band-overlap", BANDS, "7 days,1 month", "6 days,1 month", "previous band ends"),
    ("band-gap", BANDS, "1 month,6 months", "2 months,6 months", "previous band ends"),
    ("band-start", BANDS, "0 days,7 days", "1 day,7 days", "start at 0 days"),
    ("band-age", BANDS, "0 days,7 days", "0 days,7 fortnights", "is not an age"),
    ("band-fields", BANDS, "0 days,7 days", "0 days,7 days,,,", "where the header has"),
    ("band-order", BANDS, "0 days,7 days", "7 days,0 days", "below below_age"),
    ("band-limits", BANDS, "9000,30000", "30000,9000", "below high"),
    ("band-no-low", BANDS, "9000,30000", ",30000", "low is empty"),
    ("no-wbc-bands", BANDS, "\nwbc,", "\n# wbc,", "no white-count bands"),
    ("sex-twice", SEX, "female,women", "male,women", "appears twice"),
    ("sex-limits", SEX, "5000,10000", "10000,5000", "below high"),
    ("limit-text", LIMITS, "fever_from,38.0", "fever_from,hot", "is not a number"),
    ("limit-inf", LIMITS, "fever_from,38.0", "fever_from,inf", "not a finite number"),
    ("limit-empty", LIMITS, "fever_from,38.0", "fever_from,", "value is empty"),
    ("limit-twice", LIMITS, "fever_from,", "highest_plausible,", "appears twice"),
    (
        "no-plausible-count",
        LIMITS,
        "anc_lowest_plausible,0",
        "anc_lowest_plausible,2000000",
        "plausible anc counts are empty",
    ),
    ("missing-column", LIMITS, "name,value", "name,amount", "missing column(s) value"),
    ("source-twice", SOURCES, "CC,Cleveland", "MAYO-DEF,Cleveland", "appears twice"),
    ("no-lab-report-source", SOURCES, "LAB-REPORT,", "LAB-RPT,", "LAB-REPORT is missing"),
    ("yaml", WORDING, "reasons:", "reasons: [", "not valid YAML"),
    (
        "no-text",
        WORDING,
        "text: >-\n      You told me about {signs}",
        "txt: >-\n      x",
        "has no text",
    ),
    ("source-not-list", WORDING, "source: [CLINREF]", "source: CLINREF", "list of sources"),
    ("wording-source", WORDING, "source: [CDC]", "source: [CDCX]", "unknown source CDCX"),
    ("open-brace", WORDING, "about {signs}", "about {signs", "not a valid template"),
    ("numbered-field", WORDING, "about {signs}", "about {0}", "plain names"),
    (
        "entry-not-mapping",
        WORDING,
        "  routine:\n",
        "  routine: oops\n  old:\n",
        "must have text and source",
    ),
    ("empty-word", WORDING, "  low: low\n", "  low: ''\n", "non-empty text"),
    ("no-notes", WORDING, "notes:\n", "notez:\n", "notes must map"),
]


@pytest.mark.parametrize(
    ("name", "old", "new", "message"),
    [case[1:] for case in BAD_DATA],
    ids=[case[0] for case in BAD_DATA],
)
def test_bad_rows_are_refused(data_copy: Path, name: str, old: str, new: str, message: str) -> None:
    """A broken row stops loading with ReferenceDataError naming the file and the problem."""
    _edit(data_copy / name, old, new)
    with pytest.raises(ReferenceDataError, match=re.escape(message)) as caught:
        tables.check_data()
    assert name in str(caught.value)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("limits.csv", "# only a comment\n", "has no header"),
        ("limits.csv", "name,value,unit,source\n", "has no rows"),
        ("sex_ranges.csv", "sex,group,low,high,source\nmale,men,5000,10000,CC\n", "no row for"),
        ("limits.csv", "name,value,unit,source\nfever_from,38,°C,CDC\n", "missing limit(s)"),
        ("wording.yml", "- a list\n", "must hold reasons"),
        (
            "wording.yml",
            "reasons: {a: {text: t, source: [CDC]}}\nnotes: {b: {text: t, source: "
            "[CDC]}}\nwords: {a: [1]}\n",
            "words must map",
        ),
    ],
    ids=["no-header", "no-rows", "one-sex", "missing-limit", "wording-list", "words-list"],
)
def test_incomplete_files_are_refused(
    data_copy: Path, name: str, content: str, message: str
) -> None:
    """Files without a header, rows, both sexes, every limit or the wording sections are refused."""
    (data_copy / name).write_text(content, encoding="utf-8")
    with pytest.raises(ReferenceDataError, match=re.escape(message)):
        tables.check_data()


def test_missing_file_is_a_data_error(data_copy: Path) -> None:
    """A missing file is named in the error."""
    (data_copy / "sources.csv").unlink()
    with pytest.raises(ReferenceDataError, match=r"sources\.csv: cannot be read"):
        tables.check_data()


def test_data_are_read_on_first_use_and_then_kept(data_copy: Path) -> None:
    """Files are read once (functools.cache): removing one after first use changes nothing."""
    assert tables.tables.cache_info().currsize == 0
    ranges.fever_threshold_c()
    (data_copy / "limits.csv").unlink()
    assert ranges.fever_threshold_c() == 38.0


@pytest.mark.parametrize(
    ("text", "low", "high", "category"),
    [
        ("12 weeks pregnant, wbc 13.0", 5_700, 13_600, "normal"),
        ("I'm 20 weeks pregnant and my wbc is 14.5", 5_600, 14_800, "normal"),
        ("pregnant (30 wks), WBC 17.5", 5_900, 16_900, "high"),
        ("in my third trimester, wbc 16", 5_900, 16_900, "normal"),
        ("I'm pregnant and my wbc is 15", 5_600, 16_900, "normal"),
        ("pregnant, wbc 5.0", 5_600, 16_900, "low"),
        ("pregnant, wbc 1.5", 5_600, 16_900, "critically_low"),
    ],
)
def test_a_pregnant_womans_count_is_judged_against_pregnancys_range(
    text: str, low: int, high: int, category: str
) -> None:
    """A pregnant woman's count is judged against pregnancy's range (section 1, PREG).

    By trimester (to 13 weeks, 14-27, from 28), or the widest when the weeks are not given; the
    critical limits still hold.
    """
    [finding] = interpret(parse_text(text)).findings
    assert (finding.reference.low, finding.reference.high) == (low, high)
    assert finding.reference.basis == "pregnancy"
    assert finding.category.value == category


@pytest.mark.parametrize(
    "text",
    ["I'm not pregnant, wbc 12.5", "my last pregnancy was years ago, wbc 12.5", "wbc 12.5"],
)
def test_without_a_pregnancy_now_the_adult_range_decides(text: str) -> None:
    """A pregnancy that is denied or over is not one now."""
    [finding] = interpret(parse_text(text)).findings
    assert finding.reference.basis == "adult"
    assert finding.category.value == "high"
