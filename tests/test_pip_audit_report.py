"""scripts/pip_audit_report.py never says "no known vulnerabilities" without having looked: it
reads pip-audit's JSON, fails on a finding, and says plainly when the database was out of reach."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "pip_audit_report.py"


@pytest.fixture
def report_module(monkeypatch, tmp_path):
    spec = importlib.util.spec_from_file_location("pip_audit_report", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    fake = tmp_path / "pip-audit"
    fake.write_text("")
    monkeypatch.setattr(module, "PIP_AUDIT", fake)
    return module


def _run(module, monkeypatch, capsys, results, *args):
    monkeypatch.setattr(module, "_audit", lambda lock: results[lock])
    code = module.main([*args, *results])
    return code, capsys.readouterr().out


SKIPPED = {
    "dependencies": [
        {"name": "django", "skip_reason": "Dependency not found on PyPI: django (6.1.3)"},
        {"name": "nh3", "skip_reason": "Dependency not found on PyPI: nh3 (0.3.7)"},
    ]
}
CLEAN = {"dependencies": [{"name": "django", "version": "6.1.3", "vulns": []}]}
VULNERABLE = {
    "dependencies": [
        {
            "name": "django",
            "version": "6.1.3",
            "vulns": [{"id": "PYSEC-2026-1", "fix_versions": ["6.1.4"]}],
        },
        {"name": "nh3", "version": "0.3.7", "vulns": []},
    ]
}


def test_every_dependency_skipped_is_reported_as_not_checked(report_module, monkeypatch, capsys):
    code, out = _run(report_module, monkeypatch, capsys, {"a.lock": (SKIPPED, "")})

    assert code == 0
    assert (
        "a.lock: pip-audit could not reach its vulnerability database: none of the 2 "
        "dependencies could be looked up (first: Dependency not found on PyPI: django (6.1.3))"
    ) in out
    assert "were NOT checked" in out
    assert "no known vulnerabilities" not in out.lower()


def test_unreachable_database_fails_when_required(report_module, monkeypatch, capsys):
    code, out = _run(
        report_module,
        monkeypatch,
        capsys,
        {"a.lock": (None, "ConnectionError: Failed to resolve 'pypi.org'")},
        "--require-database",
    )

    assert code == 2
    assert (
        "a.lock: pip-audit could not reach its vulnerability database: "
        "ConnectionError: Failed to resolve 'pypi.org'"
    ) in out
    assert "no known vulnerabilities" not in out.lower()


def test_a_known_vulnerability_fails_and_is_named(report_module, monkeypatch, capsys):
    code, out = _run(report_module, monkeypatch, capsys, {"a.lock": (VULNERABLE, "")})

    assert code == 1
    assert "a.lock: django 6.1.3 has PYSEC-2026-1 (fixed in: 6.1.4)" in out
    assert "pip-audit: 1 known vulnerability: failing." in out


def test_only_a_full_look_says_no_known_vulnerabilities(report_module, monkeypatch, capsys):
    code, out = _run(
        report_module,
        monkeypatch,
        capsys,
        {"a.lock": (CLEAN, ""), "b.lock": (SKIPPED, "")},
    )

    assert code == 0
    assert "a.lock: pip-audit checked 1 dependencies, no known vulnerabilities in them" in out
    assert "b.lock: pip-audit could not reach its vulnerability database" in out
    assert "were NOT checked" in out
