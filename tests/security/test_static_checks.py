"""The static checks `make lint` runs: bandit's configuration and the dependency audit's verdicts
(an unreachable vulnerability service is reported, never fatal; vulnerabilities fail only in CI)."""

from __future__ import annotations

import importlib.util
import sys
import tomllib
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def _audit_deps() -> ModuleType:
    spec = importlib.util.spec_from_file_location("audit_deps", ROOT / "scripts" / "audit_deps.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


def test_lint_runs_bandit_and_the_dependency_audit() -> None:
    makefile = (ROOT / "Makefile").read_text()
    lint = makefile.split("\nlint:")[1].split("\n\n")[0]
    assert "bandit -c pyproject.toml" in lint and "--severity-level high" in lint
    assert "scripts/audit_deps.py" in lint
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "tests" in config["tool"]["bandit"]["exclude_dirs"]
    dev = " ".join(config["project"]["optional-dependencies"]["dev"])
    assert "bandit" in dev and "pip-audit" in dev


def test_unreachable_service_is_reported_not_fatal() -> None:
    judge = _audit_deps().judge
    for ci in (False, True):
        verdict = judge(None, "ConnectionError: Max retries exceeded", ci=ci)
        assert (verdict.status, verdict.exit_code) == ("unreachable", 0)
        assert "SKIPPED" in verdict.message and "Max retries" in verdict.message
        # pip-audit's "no known vulnerabilities" when it could look nothing up is not a pass.
        nothing = {"dependencies": [{"name": "flask", "skip_reason": "not found on PyPI"}]}
        verdict = judge(nothing, "", ci=ci)
        assert (verdict.status, verdict.exit_code) == ("unreachable", 0)


def test_vulnerabilities_fail_only_in_ci() -> None:
    judge = _audit_deps().judge
    report = {
        "dependencies": [
            {
                "name": "flask",
                "version": "0.1",
                "vulns": [{"id": "PYSEC-1", "fix_versions": ["2"]}],
            },
            {"name": "redis", "version": "5", "vulns": []},
            {"name": "odd", "skip_reason": "not found"},
        ]
    }
    local, ci = judge(report, "", ci=False), judge(report, "", ci=True)
    assert (local.status, local.exit_code) == ("vulnerable", 0)
    assert (ci.status, ci.exit_code) == ("vulnerable", 1)
    assert ci.lines == ["  flask 0.1: PYSEC-1 (fixed in 2)"]
    assert "1 packages could not be looked up" in ci.message
    clean = judge({"dependencies": [{"name": "redis", "version": "5", "vulns": []}]}, "", ci=True)
    assert (clean.status, clean.exit_code) == ("clean", 0)
