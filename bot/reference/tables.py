"""The data tables of bot/data/, read and checked once, on first use (nothing runs at import time).

They hold the sources, the adult table, children's bands, ranges by sex, limits and the wording
templates.

Every row names its source (keys of data/sources.csv), so no threshold lives in code. The
lookups over these tables are in bot/reference/ranges.py, the sentences made from the templates in
bot/reference/wording.py (docs/clinical-reference.md says what each table holds).
"""

from __future__ import annotations

import csv
import math
import re
import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any, TypeVar

import yaml

from bot.errors import ReferenceDataError
from bot.model import Analyte, Category, Grade, ReferenceRange, Sex
from bot.reference.units import years_of_age
from bot.yaml_files import DATA_DIR, parse_yaml

BASIS_ADULT = "adult"
BASIS_PEDIATRIC = "pediatric band"
BASIS_LAB = "lab report"
BASIS_PREGNANCY = "pregnancy"
LAB_REPORT_SOURCE = "LAB-REPORT"  # the key of sources.csv that a lab's own printed range cites

# Ages typed in days and converted to years land on a band edge up to rounding; this much
# (about 30 ms) is allowed either way.
AGE_TOLERANCE_YEARS = 1e-9

LIMIT_NAMES = (
    "wbc_lowest_plausible",
    "anc_lowest_plausible",
    "highest_plausible",
    "fever_from",
    "infant_fever_emergency_below",
    "celsius_up_to",
    "mildly_low_wbc_from",
)

_AGE = re.compile(r"(?P<amount>\d+(?:\.\d+)?)\s*(?P<unit>day|week|month|year)s?")
_WHOLE = re.compile(r"-?\d+")

E = TypeVar("E", bound=Enum)


@dataclass(frozen=True)
class Source:
    """A source of reference data: `short` cites it in an answer (empty: not cited)."""

    key: str
    short: str
    name: str
    link: str


@dataclass(frozen=True)
class CategoryRow:
    """A row of an adult category table: whole counts from `lowest` to `highest`, both included."""

    analyte: Analyte
    category: Category
    grade: Grade | None
    lowest: int | None  # None: no lower limit
    highest: int | None  # None: no upper limit
    sources: tuple[str, ...]

    def holds(self, count: int) -> bool:
        """True when the whole count falls in this row."""
        above = self.lowest is None or self.lowest <= count
        return above and (self.highest is None or count <= self.highest)


@dataclass(frozen=True)
class PediatricBand:
    """Normal limits of a count for children from one age (included) to another (not included)."""

    analyte: Analyte
    label: str
    from_years: float
    below_years: float
    low: int
    high: int
    sources: tuple[str, ...]

    def holds(self, age_years: float) -> bool:
        """True when a child of this age belongs to the band."""
        return (
            self.from_years - AGE_TOLERANCE_YEARS
            <= age_years
            < self.below_years - AGE_TOLERANCE_YEARS
        )


@dataclass(frozen=True)
class SexRange:
    """Cleveland Clinic's normal white count for one sex (told, never used to judge)."""

    sex: Sex
    group: str  # "men" | "women"
    low: int
    high: int
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Scale:
    """The normal range a count is judged against, with the keys of its sources."""

    low: float
    high: float
    basis: str  # BASIS_ADULT | BASIS_PEDIATRIC | BASIS_LAB | BASIS_PREGNANCY
    sources: tuple[str, ...]
    label: str = ""

    def reference(self, also_cite: Iterable[str] = ()) -> ReferenceRange:
        """This range as a ReferenceRange, its source naming `also_cite` too (the rule applied)."""
        keys = tuple(dict.fromkeys((*self.sources, *also_cite)))
        return ReferenceRange(
            self.low, self.high, self.basis, source_names(keys), self.label, source_keys=keys
        )


@dataclass(frozen=True)
class Wording:
    """A sentence template and the keys of the sources it rests on."""

    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class _Tables:
    sources: Mapping[str, Source]
    adult_rows: Mapping[Analyte, tuple[CategoryRow, ...]]
    adult_scales: Mapping[Analyte, Scale]
    bands: Mapping[Analyte, tuple[PediatricBand, ...]]
    sex_ranges: Mapping[Sex, SexRange]
    limits: Mapping[str, float]
    reasons: Mapping[str, Wording]
    notes: Mapping[str, Wording]
    words: Mapping[str, str]


def check_data() -> None:
    """Read and check every data file now (start-up and CI checks) instead of on first use."""
    tables()


def sources() -> Mapping[str, Source]:
    """Every source by its key."""
    return tables().sources


def source_names(keys: Iterable[str]) -> str:
    """The full names of the sources, joined by "; ", for ReferenceRange.source."""
    table = tables().sources
    return "; ".join(table[key].name for key in dict.fromkeys(keys))


@cache
def tables() -> _Tables:
    """Every table, read and checked on first use."""
    source_table = _read_sources()
    known = frozenset(source_table)
    if LAB_REPORT_SOURCE not in known:
        raise ReferenceDataError(str(DATA_DIR / "sources.csv"), f"{LAB_REPORT_SOURCE} is missing")
    adult = _read_adult_rows(known)
    reasons, notes, words = _read_wording(known)
    return _Tables(
        sources=source_table,
        adult_rows=adult,
        adult_scales={analyte: _adult_scale(rows) for analyte, rows in adult.items()},
        bands=_read_bands(known),
        sex_ranges=_read_sex_ranges(known),
        limits=_read_limits(known),
        reasons=reasons,
        notes=notes,
        words=words,
    )


@dataclass(frozen=True)
class _Row:
    """One data row of a CSV file, with its line number for error messages."""

    path: str
    line: int
    cells: Mapping[str, str]

    def error(self, problem: str) -> ReferenceDataError:
        return ReferenceDataError(self.path, f"line {self.line}: {problem}")

    def text(self, column: str, required: bool = True) -> str:
        value = self.cells[column].strip()
        if required and not value:
            raise self.error(f"{column} is empty")
        return value

    def number(self, column: str) -> float:
        typed = self.text(column)
        try:
            value = float(typed)
        except ValueError:
            raise self.error(f"{column} {typed!r} is not a number") from None
        if not math.isfinite(value):
            raise self.error(f"{column} {typed!r} is not a finite number")
        return value

    def whole(self, column: str) -> int | None:
        typed = self.text(column, required=False)
        if not typed:
            return None
        if not _WHOLE.fullmatch(typed):
            raise self.error(f"{column} {typed!r} is not a whole number")
        return int(typed)

    def required_whole(self, column: str) -> int:
        value = self.whole(column)
        if value is None:
            raise self.error(f"{column} is empty")
        return value

    def choice(self, column: str, kind: type[E]) -> E:
        typed = self.text(column)
        try:
            return kind(typed)
        except ValueError:
            allowed = ", ".join(str(member.value) for member in kind)
            raise self.error(f"{column} {typed!r} is not one of {allowed}") from None

    def age(self, column: str) -> float:
        typed = self.text(column)
        found = _AGE.fullmatch(typed)
        if not found:
            raise self.error(f"{column} {typed!r} is not an age like '7 days' or '2 years'")
        return years_of_age(float(found.group("amount")), found.group("unit"))

    def sources(self, known: frozenset[str]) -> tuple[str, ...]:
        keys = tuple(key.strip() for key in self.text("source").split(";"))
        unknown = [key or "(empty)" for key in keys if key not in known]
        if unknown:
            raise self.error(f"unknown source {', '.join(unknown)} (not in sources.csv)")
        return keys


def _csv_rows(name: str, columns: Sequence[str]) -> list[_Row]:
    """The data rows of a CSV file in data/; lines starting with # are comments."""
    path = DATA_DIR / name
    lines = [
        (number, line)
        for number, line in enumerate(_read_text(path).splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not lines:
        raise ReferenceDataError(str(path), "has no header")
    (_, header_line), *body = lines
    header = [column.strip() for column in next(csv.reader([header_line]))]
    missing = [column for column in columns if column not in header]
    if missing:
        raise ReferenceDataError(str(path), f"missing column(s) {', '.join(missing)}")
    rows = []
    for number, line in body:
        cells = next(csv.reader([line]))
        if len(cells) != len(header):
            problem = f"line {number}: {len(cells)} fields where the header has {len(header)}"
            raise ReferenceDataError(str(path), problem)
        rows.append(_Row(str(path), number, dict(zip(header, cells, strict=True))))
    if not rows:
        raise ReferenceDataError(str(path), "has no rows")
    return rows


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ReferenceDataError(str(path), f"cannot be read: {exc}") from exc


def _read_sources() -> dict[str, Source]:
    table: dict[str, Source] = {}
    for row in _csv_rows("sources.csv", ("key", "short", "name", "link")):
        key = row.text("key")
        if key in table:
            raise row.error(f"source {key} appears twice")
        short, link = row.text("short", required=False), row.text("link", required=False)
        if short and not link:
            raise row.error(f"source {key} is cited ({short}) but has no link")
        table[key] = Source(key, short, row.text("name"), link)
    return table


def _read_adult_rows(known: frozenset[str]) -> dict[Analyte, tuple[CategoryRow, ...]]:
    read: dict[Analyte, list[tuple[_Row, CategoryRow]]] = {analyte: [] for analyte in Analyte}
    for row in _csv_rows("adult_categories.csv", _ADULT_COLUMNS):
        grade = row.choice("grade", Grade) if row.text("grade", required=False) else None
        category = row.choice("category", Category)
        if category in (Category.NEEDS_UNIT, Category.IMPLAUSIBLE):
            raise row.error(f"{category.value} is not a range of counts")
        entry = CategoryRow(
            analyte=row.choice("analyte", Analyte),
            category=category,
            grade=grade,
            lowest=row.whole("lowest"),
            highest=row.whole("highest"),
            sources=row.sources(known),
        )
        read[entry.analyte].append((row, entry))
    path = str(DATA_DIR / "adult_categories.csv")
    for analyte, entries in read.items():
        _check_adult_table(path, analyte, entries)
    return {analyte: tuple(entry for _, entry in entries) for analyte, entries in read.items()}


_ADULT_COLUMNS = ("analyte", "category", "grade", "lowest", "highest", "source")


def _check_adult_table(
    path: str, analyte: Analyte, entries: Sequence[tuple[_Row, CategoryRow]]
) -> None:
    """The rows must cover every count once: no gap, no overlap, one bounded normal row."""
    if not entries:
        raise ReferenceDataError(path, f"no rows for {analyte.value}")
    for row, entry in entries:
        if entry.lowest is not None and entry.highest is not None and entry.lowest > entry.highest:
            raise row.error("lowest is above highest")
    first, last = entries[0], entries[-1]
    if first[1].lowest is not None:
        raise first[0].error("the first row of an analyte must have no lowest count")
    if last[1].highest is not None:
        raise last[0].error("the last row of an analyte must have no highest count")
    for (_, entry), (row, following) in pairwise(entries):
        if entry.highest is None or following.lowest != entry.highest + 1:
            raise row.error("must start one cell above the previous row (no gap or overlap)")
    normal = [entry for _, entry in entries if entry.category is Category.NORMAL]
    if len(normal) != 1:
        raise ReferenceDataError(path, f"{analyte.value} needs exactly one normal row")


def _adult_scale(rows: Sequence[CategoryRow]) -> Scale:
    normal = next(row for row in rows if row.category is Category.NORMAL)
    assert normal.lowest is not None and normal.highest is not None  # checked: inner row
    return Scale(normal.lowest, normal.highest, BASIS_ADULT, normal.sources)


def _read_bands(known: frozenset[str]) -> dict[Analyte, tuple[PediatricBand, ...]]:
    columns = ("analyte", "label", "from_age", "below_age", "low", "high", "source")
    read: dict[Analyte, list[tuple[_Row, PediatricBand]]] = {}
    for row in _csv_rows("pediatric_bands.csv", columns):
        band = PediatricBand(
            analyte=row.choice("analyte", Analyte),
            label=row.text("label"),
            from_years=row.age("from_age"),
            below_years=row.age("below_age"),
            low=row.required_whole("low"),
            high=row.required_whole("high"),
            sources=row.sources(known),
        )
        if not band.from_years < band.below_years:
            raise row.error("from_age must be below below_age")
        if not 0 < band.low < band.high:
            raise row.error("low must be above 0 and below high")
        read.setdefault(band.analyte, []).append((row, band))
    for analyte, entries in read.items():
        entries.sort(key=lambda entry: entry[1].from_years)
        contiguous = analyte is Analyte.WBC
        _check_bands(entries, contiguous)
    if Analyte.WBC not in read:
        raise ReferenceDataError(str(DATA_DIR / "pediatric_bands.csv"), "no white-count bands")
    return {analyte: tuple(band for _, band in entries) for analyte, entries in read.items()}


def _check_bands(entries: Sequence[tuple[_Row, PediatricBand]], contiguous: bool) -> None:
    """Bands never overlap; white-count bands run from birth to adulthood without gaps."""
    if contiguous and abs(entries[0][1].from_years) > AGE_TOLERANCE_YEARS:
        raise entries[0][0].error("the white-count bands must start at 0 days")
    for (_, band), (row, following) in pairwise(entries):
        gap = following.from_years - band.below_years
        if gap < -AGE_TOLERANCE_YEARS or (contiguous and gap > AGE_TOLERANCE_YEARS):
            raise row.error("must start where the previous band ends")


def _read_sex_ranges(known: frozenset[str]) -> dict[Sex, SexRange]:
    read: dict[Sex, SexRange] = {}
    for row in _csv_rows("sex_ranges.csv", ("sex", "group", "low", "high", "source")):
        entry = SexRange(
            sex=row.choice("sex", Sex),
            group=row.text("group"),
            low=row.required_whole("low"),
            high=row.required_whole("high"),
            sources=row.sources(known),
        )
        if entry.sex in read:
            raise row.error(f"{entry.sex.value} appears twice")
        if not 0 < entry.low < entry.high:
            raise row.error("low must be above 0 and below high")
        read[entry.sex] = entry
    missing = [sex.value for sex in Sex if sex not in read]
    if missing:
        raise ReferenceDataError(str(DATA_DIR / "sex_ranges.csv"), f"no row for {missing[0]}")
    return read


def _read_limits(known: frozenset[str]) -> dict[str, float]:
    read: dict[str, float] = {}
    for row in _csv_rows("limits.csv", ("name", "value", "unit", "source")):
        name = row.text("name")
        if name in read:
            raise row.error(f"{name} appears twice")
        row.text("unit")
        row.sources(known)
        read[name] = row.number("value")
    path = str(DATA_DIR / "limits.csv")
    missing = [name for name in LIMIT_NAMES if name not in read]
    if missing:
        raise ReferenceDataError(path, f"missing limit(s) {', '.join(missing)}")
    for analyte in Analyte:
        if not 0 <= read[f"{analyte.value}_lowest_plausible"] < read["highest_plausible"]:
            raise ReferenceDataError(path, f"the plausible {analyte.value} counts are empty")
    return read


def _read_wording(
    known: frozenset[str],
) -> tuple[dict[str, Wording], dict[str, Wording], dict[str, str]]:
    path = DATA_DIR / "wording.yml"
    try:
        loaded: Any = parse_yaml(_read_text(path))
    except yaml.YAMLError as exc:
        raise ReferenceDataError(str(path), f"is not valid YAML: {exc}") from exc
    if not isinstance(loaded, dict):
        raise ReferenceDataError(str(path), "must hold reasons, notes and words")
    reasons = _wording_section(path, loaded, "reasons", known)
    notes = _wording_section(path, loaded, "notes", known)
    words = loaded.get("words")
    if not isinstance(words, dict) or not all(
        isinstance(key, str) and isinstance(text, str) and text.strip()
        for key, text in words.items()
    ):
        raise ReferenceDataError(str(path), "words must map names to non-empty text")
    for key, text in words.items():
        _check_template(path, f"words.{key}", text)
    return reasons, notes, dict(words)


def _wording_section(
    path: Path, loaded: Mapping[str, Any], section: str, known: frozenset[str]
) -> dict[str, Wording]:
    entries = loaded.get(section)
    if not isinstance(entries, dict) or not entries:
        raise ReferenceDataError(str(path), f"{section} must map names to entries")
    read: dict[str, Wording] = {}
    for key, entry in entries.items():
        where = f"{section}.{key}"
        if not isinstance(entry, dict):
            raise ReferenceDataError(str(path), f"{where} must have text and source")
        text, keys = entry.get("text"), entry.get("source")
        if not isinstance(text, str) or not text.strip():
            raise ReferenceDataError(str(path), f"{where} has no text")
        if not isinstance(keys, list) or not keys or not all(isinstance(k, str) for k in keys):
            raise ReferenceDataError(str(path), f"{where} needs a list of sources")
        unknown = [k for k in keys if k not in known]
        if unknown:
            raise ReferenceDataError(str(path), f"{where}: unknown source {', '.join(unknown)}")
        _check_template(path, where, text)
        read[str(key)] = Wording(" ".join(text.split()), tuple(keys))
    return read


def _check_template(path: Path, where: str, text: str) -> None:
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError as exc:
        raise ReferenceDataError(str(path), f"{where} is not a valid template: {exc}") from exc
    if any(not name.isidentifier() for name in fields):
        raise ReferenceDataError(str(path), f"{where}: fields must be plain names like {{value}}")
