"""pip-audit over the lock file; fail only on known-exploited vulnerabilities (`make audit`).

    .venv-audit/bin/python scripts/audit_lock.py [requirements.lock] [--strict]

Runs `pip-audit --format json` on the lock and prints every finding, then exits 1 if any
finding has a CVE id in CISA's Known Exploited Vulnerabilities (KEV) catalogue, else 0. The
catalogue is downloaded from KEV_URL; when that fails, the checked-in snapshot
scripts/kev_snapshot.txt is used, and the output says so and gives its date and coverage
(`--update-kev-snapshot` rewrites it from a download). Packages pip-audit could not check (no
vulnerability data reachable) are listed too: an audit that checked nothing is reported as
such, and fails with --strict.

Exit status: 0 no known-exploited finding; 1 a known-exploited finding (or, with --strict, an
unchecked package); 2 pip-audit or the KEV catalogue could not be used at all.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

KEV_URL = "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json"
SNAPSHOT = Path(__file__).with_name("kev_snapshot.txt")
SNAPSHOT_FIELDS = ("source", "version", "coverage")
CVE = re.compile(r"CVE-\d{4}-\d{4,}")
PIP_AUDIT_FLAGS = ["--no-deps", "--disable-pip", "--progress-spinner", "off", "--format", "json"]


@dataclass(frozen=True)
class Finding:
    """One vulnerability pip-audit reported for one pinned package."""

    package: str
    version: str
    vuln_id: str
    aliases: tuple[str, ...]
    fix_versions: tuple[str, ...]

    @property
    def cves(self) -> set[str]:
        """The finding's CVE ids, among its own id and its aliases (KEV lists CVEs only)."""
        return {name for name in (self.vuln_id, *self.aliases) if CVE.fullmatch(name)}


@dataclass(frozen=True)
class Catalogue:
    """The KEV CVE ids and where they came from."""

    cves: frozenset[str]
    origin: str


def run_pip_audit(lock: Path) -> dict[str, Any]:
    """pip-audit's JSON report of `lock` (pip-audit from this interpreter's venv)."""
    pip_audit = Path(sys.executable).parent / "pip-audit"
    command = [str(pip_audit), "-r", str(lock), *PIP_AUDIT_FLAGS]
    result = subprocess.run(command, capture_output=True, text=True, timeout=1800)
    if result.returncode not in (0, 1) or not result.stdout.strip():  # 1: vulnerabilities found
        raise RuntimeError(f"pip-audit failed ({result.returncode}):\n{result.stderr[-2000:]}")
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def read_report(report: dict[str, Any]) -> tuple[list[Finding], list[str]]:
    """The findings, and the packages pip-audit could not check (with its reason)."""
    findings: list[Finding] = []
    unchecked: list[str] = []
    for dependency in report.get("dependencies", []):
        if "skip_reason" in dependency:
            unchecked.append(f"{dependency['name']}: {dependency['skip_reason']}")
            continue
        for vuln in dependency.get("vulns", []):
            findings.append(
                Finding(
                    dependency["name"],
                    dependency.get("version", "?"),
                    vuln["id"],
                    tuple(vuln.get("aliases", [])),
                    tuple(vuln.get("fix_versions", [])),
                )
            )
    return findings, unchecked


def download_catalogue() -> dict[str, Any]:
    """Download CISA's Known Exploited Vulnerabilities catalogue (JSON)."""
    with urllib.request.urlopen(KEV_URL, timeout=20) as response:
        return json.load(response)  # type: ignore[no-any-return]


def load_catalogue(source: str | None) -> Catalogue:
    """KEV from `source` (a KEV JSON or snapshot file), else downloaded, else the snapshot."""
    if source:
        return _from_file(Path(source))
    try:
        data = download_catalogue()
        cves = frozenset(entry["cveID"] for entry in data["vulnerabilities"])
        return Catalogue(cves, f"{KEV_URL} (version {data.get('catalogVersion')}, downloaded)")
    except (OSError, ValueError, KeyError) as error:
        catalogue = _from_file(SNAPSHOT)
        reason = type(error).__name__
        return Catalogue(catalogue.cves, f"{catalogue.origin}; the download failed ({reason})")


def _from_file(path: Path) -> Catalogue:
    text = path.read_text(encoding="utf-8")
    if text.lstrip().startswith("{"):
        data = json.loads(text)
        cves = frozenset(entry["cveID"] for entry in data["vulnerabilities"])
        return Catalogue(cves, f"{path} (version {data.get('catalogVersion')})")
    header = [line[1:].strip() for line in text.splitlines() if line.startswith("#")]
    about = "; ".join(line for line in header if line.split(":")[0] in SNAPSHOT_FIELDS)
    cves = frozenset(line.strip() for line in text.splitlines() if CVE.fullmatch(line.strip()))
    return Catalogue(cves, f"snapshot {path} ({about})")


def update_snapshot() -> None:
    """Rewrite the snapshot from the downloaded catalogue (run where cisa.gov is reachable)."""
    data = download_catalogue()
    cves = sorted({entry["cveID"] for entry in data["vulnerabilities"]})
    header = [
        "# CISA Known Exploited Vulnerabilities (KEV): CVE ids, one a line. Used by",
        "# scripts/audit_lock.py only when the catalogue cannot be downloaded.",
        f"# source: {KEV_URL}",
        f"# version: {data.get('catalogVersion')} (released {data.get('dateReleased')})",
        f"# coverage: complete, {len(cves)} entries",
        "# Refresh: .venv-audit/bin/python scripts/audit_lock.py --update-kev-snapshot",
    ]
    SNAPSHOT.write_text("\n".join(header + cves) + "\n", encoding="utf-8")
    print(f"{SNAPSHOT}: {len(cves)} CVEs, version {data.get('catalogVersion')}")


def main(argv: list[str] | None = None) -> int:
    """Audit the lock file and print the findings; exit 1 on a known-exploited CVE, 2 on an error.

    With --strict, packages that could not be checked fail the audit too.
    """
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("lock", nargs="?", default="requirements.lock", type=Path)
    parser.add_argument("--strict", action="store_true", help="fail if a package was unchecked")
    parser.add_argument("--report", help="read this pip-audit JSON report instead of running it")
    parser.add_argument("--kev", help="read the KEV catalogue (JSON or snapshot) from this file")
    parser.add_argument("--update-kev-snapshot", action="store_true", help=update_snapshot.__doc__)
    args = parser.parse_args(argv)
    try:
        if args.update_kev_snapshot:
            update_snapshot()
            return 0
        if args.report:
            report = json.loads(Path(args.report).read_text())
        else:
            report = run_pip_audit(args.lock)
        catalogue = load_catalogue(args.kev)
    except (OSError, RuntimeError, ValueError, KeyError, subprocess.TimeoutExpired) as error:
        print(f"audit: {error}", file=sys.stderr)
        return 2
    findings, unchecked = read_report(report)
    checked = len(report.get("dependencies", [])) - len(unchecked)
    print(f"KEV catalogue: {len(catalogue.cves)} CVEs from {catalogue.origin}")
    print(f"pip-audit checked {checked} packages of {args.lock}; {len(findings)} findings")
    exploited = []
    for finding in findings:
        known = finding.cves & catalogue.cves
        exploited += [finding] if known else []
        fix = ", ".join(finding.fix_versions) or "no fixed version"
        mark = f"KNOWN EXPLOITED ({', '.join(sorted(known))})" if known else ""
        pinned = f"{finding.package}=={finding.version}"
        print(f"  {pinned} {finding.vuln_id} [{', '.join(finding.aliases)}] fix: {fix} {mark}")
    if unchecked:
        print(f"NOT CHECKED: {len(unchecked)} packages (no vulnerability data for them):")
        for line in unchecked[:10]:
            print(f"  {line}")
        if len(unchecked) > 10:
            print(f"  ... and {len(unchecked) - 10} more")
        if not checked:
            print("  (none was checked: the vulnerability service, PyPI's JSON API or OSV, is")
            print("  probably out of reach from this machine)")
    if exploited:
        print(f"FAIL: {len(exploited)} findings are known to be exploited; upgrade those first.")
        return 1
    if unchecked and args.strict:
        print("FAIL (--strict): some packages could not be checked.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
