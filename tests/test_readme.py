"""The README and docs/ stay true.

The paths they name exist, the commands they give are real, the links between them work, and the
clinical reference agrees with the data the code reads.
"""

from __future__ import annotations

import csv
import re
import subprocess
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest
from _pytest.mark import ParameterSet

from bot.yaml_files import read_yaml

ROOT = Path(__file__).resolve().parent.parent
DOCS_DIR = ROOT / "docs"
DATA = ROOT / "bot" / "data"
README_PATH = ROOT / "README.md"
CLINICAL_REFERENCE = DOCS_DIR / "clinical-reference.md"
SOURCES_PAGE = DOCS_DIR / "sources.md"  # written alongside; may not exist in every checkout
DOC_PATHS = (README_PATH, *sorted(DOCS_DIR.glob("*.md")))
README = README_PATH.read_text(encoding="utf-8")
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")
CI_RUN = (ROOT / ".ci" / "run").read_text(encoding="utf-8")

# Extensions that mark a backticked word as a file name even without a slash.
FILE_EXTENSIONS = (".py", ".yml", ".yaml", ".md", ".toml", ".in", ".lock", ".json", ".csv", ".sh")
# Created by `make install`, `make train` and friends; absent from a fresh clone, so not checked.
GENERATED = (".venv/", "models/", "results/", "var/", "web/node_modules/", "web/static/vendor/")
# A team folder outside this repository that nothing here may depend on (spelt in pieces so that
# this file does not name it).
OUTSIDE = "shared"
FORBIDDEN_MENTIONS = (
    f"../{OUTSIDE}",
    f"/work/{OUTSIDE}",
    f"{OUTSIDE}/sources",
    f"{OUTSIDE}/clinical-reference",
)
# The data files whose `source` column holds keys of sources.csv.
THRESHOLD_TABLES = ("adult_categories.csv", "pediatric_bands.csv", "limits.csv", "sex_ranges.csv")


def _name(doc: Path) -> str:
    return str(doc.relative_to(ROOT))


@cache
def _text(doc: Path) -> str:
    return doc.read_text(encoding="utf-8")


def _without_fenced_blocks(markdown: str) -> str:
    return re.sub(r"^```.*?^```", "", markdown, flags=re.MULTILINE | re.DOTALL)


def _inline_code(markdown: str) -> list[str]:
    return re.findall(r"`([^`\n]+)`", _without_fenced_blocks(markdown))


def _fenced_blocks(markdown: str) -> list[str]:
    return re.findall(r"^```[^\n]*\n(.*?)^```", markdown, flags=re.MULTILINE | re.DOTALL)


def _looks_like_repo_path(span: str) -> bool:
    """A single word that names a file or folder of this repository."""
    if any(ch.isspace() for ch in span) or "://" in span:
        return False
    if span.startswith(("/", "~", "-")) or any(ch in span for ch in "*<>=|^$"):
        return False
    return "/" in span or span.endswith(FILE_EXTENSIONS)


def doc_paths(markdown: str) -> list[str]:
    """Every backticked repository path in a document, in order, without repeats."""
    paths = [
        span
        for span in _inline_code(markdown)
        if _looks_like_repo_path(span) and not span.startswith(GENERATED)
    ]
    return list(dict.fromkeys(paths))


def makefile_targets() -> set[str]:
    """Targets defined in the Makefile (rules of the form `name: ...`), not variables."""
    targets: set[str] = set()
    for match in re.finditer(
        r"^([A-Za-z0-9_.-]+(?:[ \t]+[A-Za-z0-9_.-]+)*)[ \t]*:(?!=)", MAKEFILE, flags=re.MULTILINE
    ):
        targets.update(name for name in match.group(1).split() if not name.startswith("."))
    return targets


def doc_make_targets(markdown: str) -> list[str]:
    """The targets of every `make ...` command in a document, inline or in code blocks."""
    commands = _inline_code(markdown) + [
        line for block in _fenced_blocks(markdown) for line in block.splitlines()
    ]
    targets: list[str] = []
    for command in commands:
        match = re.match(r"\s*make\s+(.*)", command)
        if not match:
            continue
        words = match.group(1).split("#")[0].split()
        targets += [w for w in words if "=" not in w and not w.startswith("-")]
    return list(dict.fromkeys(targets))


def doc_links(markdown: str) -> list[str]:
    """The targets of the Markdown links in a document that point inside the repository."""
    links = re.findall(r"\]\(([^)\s]+)\)", _without_fenced_blocks(markdown))
    return [link for link in links if not re.match(r"[a-z]+:", link)]


def _anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _per_doc(find: Callable[[str], list[str]]) -> list[tuple[str, str]]:
    """(document, item) for every item `find` finds in the README and each page of docs/."""
    return [(_name(doc), item) for doc in DOC_PATHS for item in find(_text(doc))]


def _cases(find: Callable[[str], list[str]]) -> list[ParameterSet]:
    return [pytest.param(doc, item, id=f"{doc}:{item}") for doc, item in _per_doc(find)]


# --- paths, targets and links ------------------------------------------------------------------


def test_readme_names_some_paths_and_targets() -> None:
    """The checks below have something to check (the parsers did not silently find nothing)."""
    assert len(doc_paths(README)) >= 10
    assert {"run", "test", "check", "help"} <= set(doc_make_targets(README))
    assert len(_per_doc(doc_paths)) > len(doc_paths(README))  # docs/ is checked too


@pytest.mark.parametrize(("doc", "path"), _cases(doc_paths))
def test_named_path_exists(doc: str, path: str) -> None:
    """Every repository path the README or a page of docs/ names in backticks exists.

    A bare file name (`domain.yml`, `sources.csv`) is at the top of the repository or somewhere in
    it.
    """
    exists = (ROOT / path).exists() or ("/" not in path and path in _file_names())
    assert exists, f"{doc} names {path}, which does not exist"


@pytest.mark.parametrize(("doc", "target"), _cases(doc_make_targets))
def test_named_make_target_exists(doc: str, target: str) -> None:
    """Every `make TARGET` the README or a page of docs/ gives is a target of the Makefile."""
    assert target in makefile_targets(), (
        f"{doc} names make {target}; the Makefile has no such target"
    )


@pytest.mark.parametrize(("doc", "link"), _cases(doc_links))
def test_link_leads_somewhere(doc: str, link: str) -> None:
    """Every relative link resolves to a file of the repository, and its #anchor to a heading."""
    path, _, anchor = link.partition("#")
    target = (ROOT / doc).parent / path if path else ROOT / doc
    assert target.exists(), f"{doc} links to {link}, which does not exist"
    if anchor:
        headings = re.findall(r"^#+ (.+)$", _text(target.resolve()), flags=re.MULTILINE)
        assert anchor in {_anchor(h) for h in headings}, f"{doc}: no heading for #{anchor}"


def test_readme_links_every_page_of_docs() -> None:
    """No page of docs/ is an orphan: the README links each one."""
    linked = {(ROOT / link.partition("#")[0]).resolve() for link in doc_links(README)}
    for page in DOCS_DIR.glob("*.md"):
        assert page.resolve() in linked, f"the README does not link {_name(page)}"


def test_readme_test_command_is_what_ci_runs() -> None:
    """The README's command for every check is the one command CI runs."""
    two_commands = README.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    block = _fenced_blocks(two_commands)[0]
    test_command = next(line.split("#")[0].strip() for line in block.splitlines() if "test" in line)
    ci_commands = [
        line.strip()
        for line in CI_RUN.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert test_command == "make test"
    assert ci_commands[-1] == test_command


def test_makefile_targets_all_have_help_text() -> None:
    """`make help` lists every target: each public target has a `## help` comment."""
    joined = MAKEFILE.replace("\\\n", " ")
    helped = set(re.findall(r"^([A-Za-z_-]+):.*## ", joined, flags=re.MULTILINE))
    phony = re.search(r"^\.PHONY:(.*)$", joined, flags=re.MULTILINE)
    assert phony is not None
    assert set(phony.group(1).split()) == helped


# --- self-contained ----------------------------------------------------------------------------


@cache
def _git_files() -> tuple[Path, ...] | None:
    """The files git tracks (None outside a git checkout)."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
        ).stdout.decode("utf-8")
    except (OSError, subprocess.CalledProcessError):
        return None
    return tuple(ROOT / name for name in listed.split("\0") if name)


def _repository_files() -> list[Path]:
    tracked = _git_files()
    if tracked is None:
        pytest.skip("not a git checkout: no file list to check")
    files = set(tracked) | set(DOC_PATHS)
    return sorted(path for path in files if path.is_file())


@cache
def _file_names() -> frozenset[str]:
    """The names of the repository's files (tracked, or outside hidden and generated folders)."""
    tracked = _git_files()
    if tracked is not None:
        return frozenset(path.name for path in tracked)
    skipped = ("node_modules", "models", "results", "var")
    return frozenset(
        path.name
        for path in ROOT.rglob("*")
        if path.is_file()
        and not any(
            part.startswith(".") or part in skipped for part in path.relative_to(ROOT).parts
        )
    )


def test_no_file_depends_on_a_folder_outside_the_repository() -> None:
    """No file of the repository names the team's folder beside it.

    The repository carries its own clinical reference and source descriptions.
    """
    offenders = []
    for path in _repository_files():
        data = path.read_bytes()
        if b"\0" in data:
            continue  # binary
        text = data.decode("utf-8", errors="replace")
        offenders += [f"{_name(path)}: {word}" for word in FORBIDDEN_MENTIONS if word in text]
    assert not offenders, "mentions of a folder outside the repository:\n" + "\n".join(offenders)


# --- the clinical reference agrees with the data -----------------------------------------------


def _csv_rows(name: str) -> list[dict[str, str]]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return list(csv.DictReader(line for line in lines if line and not line.startswith("#")))


def _keys(field: str) -> list[str]:
    return [key.strip() for key in field.split(";") if key.strip()]


@cache
def source_links() -> dict[str, str]:
    """Every key of sources.csv and its link (empty for a basis that is never cited)."""
    return {row["key"]: row["link"] for row in _csv_rows("sources.csv")}


def rule_source_keys() -> list[str]:
    """The source keys of the thresholds, the urgency reasons, the notes and the specimens."""
    keys = [
        key for name in THRESHOLD_TABLES for row in _csv_rows(name) for key in _keys(row["source"])
    ]
    wording = read_yaml(DATA / "wording.yml")
    for section in ("reasons", "notes"):
        keys += [key for entry in wording[section].values() for key in entry["source"]]
    specimens = read_yaml(DATA / "specimens.yml")
    keys += [key for entry in specimens["specimens"] for key in entry["source"]]
    return sorted(set(keys))


def link_definitions() -> dict[str, str]:
    """The reference-style link definitions of the clinical reference: `[KEY]: url`."""
    found = re.findall(r"^\[([^\]]+)\]: (\S+)$", _text(CLINICAL_REFERENCE), flags=re.MULTILINE)
    return dict(found)


def cited_keys() -> set[str]:
    """The keys cited in the text of the clinical reference as `[KEY]`."""
    return set(re.findall(r"\[([A-Z][A-Z0-9-]+)\](?![:(\[])", _text(CLINICAL_REFERENCE)))


def test_clinical_reference_cites_the_sources_of_every_rule() -> None:
    """The clinical reference cites the source of every threshold, reason, note or specimen.

    With a link when it is a publication, by its key when it is only a basis.
    """
    text = _text(CLINICAL_REFERENCE)
    for key in rule_source_keys():
        if source_links()[key]:
            assert key in cited_keys() and key in link_definitions(), f"{key} is not cited"
        else:
            assert re.search(rf"\b{key}\b", text), f"the basis {key} is not explained"


def test_clinical_reference_links_are_the_links_of_sources_csv() -> None:
    """Each cited key has a link, and it is the one sources.csv gives for that key."""
    definitions = link_definitions()
    assert cited_keys() <= set(definitions), "cited without a link"
    for key, link in definitions.items():
        assert key in source_links(), f"{key} is not a key of sources.csv"
        assert link == source_links()[key], f"the link of {key} differs from sources.csv"


def test_every_source_is_described_somewhere() -> None:
    """Every key of sources.csv is explained in docs/ (the clinical reference or sources page)."""
    pages = [CLINICAL_REFERENCE, *([SOURCES_PAGE] if SOURCES_PAGE.exists() else [])]
    text = "\n".join(_text(page) for page in pages)
    missing = [key for key in source_links() if not re.search(rf"(?<![\w-]){key}(?![\w-])", text)]
    assert not missing, f"sources described nowhere in docs/: {missing}"


def _count(value: str) -> str:
    return f"{int(value):,}"


def _section(number: str) -> str:
    """The text of one numbered section of the clinical reference ("1", "2", ...)."""
    parts = re.split(r"^## ", _text(CLINICAL_REFERENCE), flags=re.MULTILINE)
    return next(part for part in parts if part.startswith(f"{number}. "))


# Where the clinical reference gives each analyte's table: adult white counts in section 1,
# children's white counts in section 2, neutrophil counts (adult and infant) in section 3.
ADULT_SECTION = {"wbc": "1", "anc": "3"}
CHILD_SECTION = {"wbc": "2", "anc": "3"}


def threshold_rows() -> list[ParameterSet]:
    """Each row of the threshold tables: the section it belongs in and what one line must say."""
    rows = []
    for row in _csv_rows("adult_categories.csv"):
        bounds = [_count(row[column]) for column in ("lowest", "highest") if row[column]]
        words = [f"| {row['category']} |", *bounds]
        name = f"adult {row['analyte']} {row['category']} {'-'.join(bounds)}"
        rows.append(pytest.param(ADULT_SECTION[row["analyte"]], words, id=name))
    for row in _csv_rows("pediatric_bands.csv"):
        words = [row["label"], _count(row["low"]), _count(row["high"])]
        name = f"child {row['analyte']} {row['label']}"
        rows.append(pytest.param(CHILD_SECTION[row["analyte"]], words, id=name))
    return rows


def _has_number(text: str, number: str) -> bool:
    return re.search(rf"(?<![\d,.]){re.escape(number)}(?!\d|[,.]\d)", text) is not None


@pytest.mark.parametrize(("section", "words"), threshold_rows())
def test_clinical_reference_states_every_row_of_the_tables(section: str, words: list[str]) -> None:
    """Each category and age band of bot/data/ is on one line of its section, with its limits."""
    label, *numbers = words
    lines = [line for line in _section(section).splitlines() if label in line]
    assert any(all(_has_number(line, n) for n in numbers) for line in lines), words


def limit_numbers() -> list[ParameterSet]:
    """Return the single limits (limits.csv) and Cleveland Clinic's ranges by sex, as written."""
    numbers = []
    for row in _csv_rows("limits.csv"):
        value = float(row["value"])
        if row["unit"] == "years":
            written = f"{value * 12:g} months"
        elif row["unit"] == "°C":
            written = row["value"]
        else:
            written = f"{value:,.0f}"
        numbers.append(pytest.param(written, id=row["name"]))
    for row in _csv_rows("sex_ranges.csv"):
        low, high = _count(row["low"]), _count(row["high"])
        numbers.append(pytest.param(f"{low} to {high}", id=f"range for {row['group']}"))
    return numbers


@pytest.mark.parametrize("written", limit_numbers())
def test_clinical_reference_states_every_limit(written: str) -> None:
    """Each single limit and each range by sex of bot/data/ appears in the clinical reference."""
    assert _has_number(_text(CLINICAL_REFERENCE), written)


def test_clinical_reference_names_every_red_flag_and_specimen() -> None:
    """Each red flag of red_flags.yml and each sample of specimens.yml is described.

    By its name, one of its phrases or one of its cue words.
    """
    text = _text(CLINICAL_REFERENCE).lower()
    flags = read_yaml(DATA / "red_flags.yml")
    specimens = read_yaml(DATA / "specimens.yml")["specimens"]
    entries = [(f["name"], f["phrases"]) for f in flags] + [
        (s["name"], s["cues"]) for s in specimens
    ]
    for name, words in entries:
        candidates = [name.replace("_", " "), *(str(word) for word in words)]
        assert any(word.lower() in text for word in candidates), f"{name} is not described"
