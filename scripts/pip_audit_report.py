"""Run pip-audit on the lock files and say plainly what it found, or that it could not look.

pip-audit prints "No known vulnerabilities found" even when it skipped every dependency because
its vulnerability service could not be reached (offline, or a mirror without the per-version
pages). This script reads pip-audit's JSON instead of its words:

- every dependency looked up and none vulnerable: "pip-audit: N dependencies checked, no known
  vulnerabilities" (exit 0);
- any known vulnerability: each one listed (exit 1);
- nothing could be looked up: "pip-audit could not reach its vulnerability database: <reason>"
  (exit 0, a warning; exit 2 with --require-database);
- some looked up, some not: the checked ones are reported and the skipped ones counted, with the
  reason (a warning).

Usage: python scripts/pip_audit_report.py [--require-database] LOCKFILE...
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

PIP_AUDIT = Path(sys.executable).with_name("pip-audit")


def _audit(lock: str) -> tuple[dict | None, str]:
    """pip-audit's JSON report for one lock file, or None and the reason it gave none."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        command = [
            str(PIP_AUDIT),
            "--requirement",
            lock,
            "--require-hashes",
            "--disable-pip",
            "--progress-spinner",
            "off",
            "--format",
            "json",
            "--output",
            str(out),
        ]
        try:
            done = subprocess.run(  # noqa: S603 - fixed argv, no shell  # nosec B603
                command, capture_output=True, text=True, timeout=600, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return None, f"{type(exc).__name__}: {exc}"
        report = None
        if out.exists() and out.stat().st_size:
            try:
                report = json.loads(out.read_text())
            except ValueError:
                report = None
        if report is None:
            lines = [line for line in done.stderr.splitlines() if line.strip()]
            reason = lines[-1].strip() if lines else f"pip-audit exited with code {done.returncode}"
            return None, reason[:400]
        return report, ""


def main(argv: list[str]) -> int:
    require = "--require-database" in argv
    locks = [a for a in argv if not a.startswith("--")]
    if not locks:
        print(__doc__)
        return 2
    if not PIP_AUDIT.exists():
        print(f"pip-audit is not installed next to {sys.executable}: run `make install-dev`.")
        return 2
    findings = unreachable = 0
    for lock in locks:
        report, reason = _audit(lock)
        if report is None:
            print(f"{lock}: pip-audit could not reach its vulnerability database: {reason}")
            unreachable += 1
            continue
        deps = report.get("dependencies", [])
        skipped = [d for d in deps if d.get("skip_reason")]
        checked = [d for d in deps if not d.get("skip_reason")]
        vulnerable = [d for d in checked if d.get("vulns")]
        for dep in vulnerable:
            for vuln in dep["vulns"]:
                fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
                print(
                    f"{lock}: {dep['name']} {dep.get('version', '')} has {vuln.get('id')} "
                    f"(fixed in: {fixed})"
                )
        findings += sum(len(d["vulns"]) for d in vulnerable)
        if not checked:
            first = skipped[0]["skip_reason"] if skipped else "the lock file lists no packages"
            print(
                f"{lock}: pip-audit could not reach its vulnerability database: none of the "
                f"{len(deps)} dependencies could be looked up (first: {first})"
            )
            unreachable += 1
            continue
        summary = (
            f"{len(vulnerable)} vulnerable" if vulnerable else "no known vulnerabilities in them"
        )
        print(f"{lock}: pip-audit checked {len(checked)} dependencies, {summary}")
        if skipped:
            print(
                f"{lock}: {len(skipped)} more could not be looked up, so they were not checked "
                f"(first: {skipped[0]['skip_reason']})"
            )
    if findings:
        print(
            f"pip-audit: {findings} known vulnerabilit{'y' if findings == 1 else 'ies'}: failing."
        )
        return 1
    if unreachable:
        print(
            "pip-audit: the dependencies above were NOT checked for known vulnerabilities "
            "(no network or no vulnerability service here). Run `make security` where it can "
            "reach https://pypi.org."
        )
        return 2 if require else 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
