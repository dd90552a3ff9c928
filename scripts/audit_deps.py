#!/usr/bin/env python3
"""Dependency vulnerability audit with pip-audit, where the package index allows it.

A vulnerability service we cannot reach is reported plainly and does not fail the build; only a
real vulnerability result fails it, and only in CI (CI=true). Run: `python scripts/audit_deps.py`.
"""

from __future__ import annotations

import json
import os

# Runs pip-audit from our own virtualenv with a fixed argument list and no shell.
import subprocess  # nosec B404
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

PIP_AUDIT = Path(sys.executable).with_name("pip-audit")
TIMEOUT_SECONDS = 300


@dataclass
class Verdict:
    status: str  # "clean", "vulnerable", "unreachable"
    message: str
    exit_code: int
    lines: list[str] = field(default_factory=list)


def judge(report: dict | None, error: str, ci: bool) -> Verdict:
    """Decide what a pip-audit run means. `report` is its JSON output, or None if it gave none."""
    if report is None:
        return Verdict(
            "unreachable",
            "dependency audit SKIPPED: pip-audit could not reach its vulnerability service"
            f" ({error.strip().splitlines()[-1] if error.strip() else 'no output'}).",
            0,
        )
    deps = report.get("dependencies", [])
    audited = [d for d in deps if "skip_reason" not in d]
    skipped = len(deps) - len(audited)
    if deps and not audited:
        # pip-audit prints "No known vulnerabilities found" even when it could check nothing.
        return Verdict(
            "unreachable",
            f"dependency audit SKIPPED: none of the {len(deps)} packages could be looked up "
            "(the vulnerability service is not reachable from this machine).",
            0,
        )
    vulnerable = [d for d in audited if d.get("vulns")]
    note = f" ({skipped} packages could not be looked up)" if skipped else ""
    if not vulnerable:
        return Verdict(
            "clean",
            f"dependency audit: no known vulnerabilities in {len(audited)} packages{note}.",
            0,
        )
    lines = [
        f"  {d['name']} {d.get('version', '?')}: {v.get('id', '?')}"
        f" (fixed in {', '.join(v.get('fix_versions') or ['no release yet'])})"
        for d in vulnerable
        for v in d["vulns"]
    ]
    return Verdict(
        "vulnerable",
        f"dependency audit: {len(lines)} known vulnerabilities in {len(vulnerable)} packages{note}"
        + ("." if ci else " (not fatal outside CI; CI=true makes it fail)."),
        1 if ci else 0,
        lines,
    )


def run() -> tuple[dict | None, str]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "audit.json"
        try:
            done = subprocess.run(  # noqa: S603  # nosec B603
                [
                    str(PIP_AUDIT),
                    "--format",
                    "json",
                    "--output",
                    str(out),
                    "--progress-spinner",
                    "off",
                    "--skip-editable",
                ],
                capture_output=True,
                text=True,
                timeout=TIMEOUT_SECONDS,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return None, str(exc)
        try:
            return json.loads(out.read_text()), done.stderr
        except (OSError, ValueError):
            return None, done.stderr or done.stdout


def main() -> int:
    report, error = run()
    verdict = judge(report, error, ci=os.environ.get("CI", "").lower() == "true")
    print(verdict.message)
    for line in verdict.lines:
        print(line)
    return verdict.exit_code


if __name__ == "__main__":
    sys.exit(main())
