"""The README stays true: the paths it names exist and the commands it gives are real."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")
CI_RUN = (ROOT / ".ci" / "run").read_text(encoding="utf-8")

# Extensions that mark a backticked word as a file name even without a slash.
FILE_EXTENSIONS = (".py", ".yml", ".yaml", ".md", ".toml", ".in", ".lock", ".json", ".csv", ".sh")
# Created by `make install`, `make train` and friends; absent from a fresh clone, so not checked.
GENERATED = (".venv/", "models/", "results/", "var/", "web/node_modules/", "web/static/vendor/")


def _without_fenced_blocks(markdown: str) -> str:
    return re.sub(r"^```.*?^```", "", markdown, flags=re.MULTILINE | re.DOTALL)


def _inline_code(markdown: str) -> list[str]:
    return re.findall(r"`([^`\n]+)`", _without_fenced_blocks(markdown))


def _fenced_blocks(markdown: str) -> list[str]:
    return re.findall(r"^```[^\n]*\n(.*?)^```", markdown, flags=re.MULTILINE | re.DOTALL)


def _looks_like_repo_path(span: str) -> bool:
    """A single word that names a file or folder of this repository (or of ../shared)."""
    if any(ch.isspace() for ch in span) or "://" in span:
        return False
    if span.startswith(("/", "~", "-")) or any(ch in span for ch in "*<>=|^$"):
        return False
    return "/" in span or span.endswith(FILE_EXTENSIONS)


def readme_paths() -> list[str]:
    """Every backticked repository path in the README, in order, without repeats."""
    paths = [
        span
        for span in _inline_code(README)
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


def readme_make_targets() -> list[str]:
    """The targets of every `make ...` command in the README, inline or in code blocks."""
    commands = _inline_code(README) + [
        line for block in _fenced_blocks(README) for line in block.splitlines()
    ]
    targets: list[str] = []
    for command in commands:
        match = re.match(r"\s*make\s+(.*)", command)
        if not match:
            continue
        words = match.group(1).split("#")[0].split()
        targets += [w for w in words if "=" not in w and not w.startswith("-")]
    return list(dict.fromkeys(targets))


def test_readme_names_some_paths_and_targets() -> None:
    """The checks below have something to check (the parsers did not silently find nothing)."""
    assert len(readme_paths()) >= 10
    assert {"run", "test", "help", "bench"} <= set(readme_make_targets())


@pytest.mark.parametrize("path", readme_paths())
def test_readme_path_exists(path: str) -> None:
    """Every repository path the README names in backticks exists."""
    assert (ROOT / path).exists(), f"README names {path}, which does not exist"


@pytest.mark.parametrize("target", readme_make_targets())
def test_readme_make_target_exists(target: str) -> None:
    """Every `make TARGET` the README gives is a target of the Makefile."""
    assert target in makefile_targets(), (
        f"README names make {target}; the Makefile has no such target"
    )


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
