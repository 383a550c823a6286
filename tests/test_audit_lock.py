"""scripts/audit_lock.py: every finding is shown; only known-exploited ones fail the audit."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from server.settings import ROOT

SCRIPT = ROOT / "scripts" / "audit_lock.py"
EXPLOITED = "CVE-2024-9999"
REPORT: dict[str, Any] = {
    "dependencies": [
        {
            "name": "sanic",
            "version": "21.12.2",
            "vulns": [
                {"id": "PYSEC-2099-1", "fix_versions": ["22.0"], "aliases": ["CVE-2024-1111"]},
                {"id": "GHSA-xxxx-yyyy-zzzz", "fix_versions": [], "aliases": [EXPLOITED]},
            ],
        },
        {"name": "requests", "version": "2.32.0", "vulns": []},
        {"name": "absl-py", "skip_reason": "Dependency not found on PyPI and could not be audited"},
    ],
    "fixes": [],
}


def audit(
    tmp_path: Path, report: dict[str, Any], *cves: str, strict: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run the script on a pip-audit report and a KEV snapshot file, as `make audit` would."""
    (tmp_path / "report.json").write_text(json.dumps(report))
    (tmp_path / "kev.txt").write_text("# version: test\n" + "\n".join(cves) + "\n")
    command = [
        sys.executable,
        str(SCRIPT),
        "--report",
        str(tmp_path / "report.json"),
        "--kev",
        str(tmp_path / "kev.txt"),
        *(["--strict"] if strict else []),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


def test_a_known_exploited_finding_fails_and_every_finding_is_shown(tmp_path: Path) -> None:
    """A CVE alias listed in KEV fails the audit; the other finding is printed too."""
    result = audit(tmp_path, REPORT, EXPLOITED, "CVE-2000-0001")
    assert result.returncode == 1
    assert "sanic==21.12.2 PYSEC-2099-1 [CVE-2024-1111] fix: 22.0" in result.stdout
    assert (
        f"GHSA-xxxx-yyyy-zzzz [{EXPLOITED}] fix: no fixed version KNOWN EXPLOITED" in result.stdout
    )


def test_findings_not_in_kev_are_reported_but_pass(tmp_path: Path) -> None:
    """Known vulnerabilities that nobody is known to exploit are shown, and the audit passes."""
    result = audit(tmp_path, REPORT, "CVE-2000-0001")
    assert result.returncode == 0
    assert "2 findings" in result.stdout and "KNOWN EXPLOITED" not in result.stdout


def test_unchecked_packages_are_reported_and_fail_only_when_strict(tmp_path: Path) -> None:
    """A package pip-audit could not check is listed; --strict turns that into a failure."""
    clean = {"dependencies": REPORT["dependencies"][1:]}
    assert "NOT CHECKED: 1 packages" in audit(tmp_path, clean).stdout
    assert audit(tmp_path, clean).returncode == 0
    assert audit(tmp_path, clean, strict=True).returncode == 1


def test_the_checked_in_snapshot_says_where_and_when_it_is_from() -> None:
    """The fallback KEV snapshot names its source, version and coverage, and lists CVE ids."""
    text = (ROOT / "scripts" / "kev_snapshot.txt").read_text()
    for field in ("# source: https://", "# version: ", "# coverage: "):
        assert field in text
    ids = [line for line in text.splitlines() if line.startswith("CVE-")]
    assert len(ids) == len(set(ids)) >= 79
