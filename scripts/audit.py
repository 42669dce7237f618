"""Check the locked packages against the Python Packaging Advisory Database (pip-audit).

Fails (exit 1) when a locked package has a known vulnerability with a fixed release: update
it (`pipenv update NAME`) and run the tests. A vulnerability without any fix yet is printed
but does not fail the build (nothing can be done but watch it). Packages the advisory service
could not be asked about are listed; when none could be asked about at all (no route to the
service, as on machines that reach only a package mirror) the audit says so and does not pass
silently as "no vulnerabilities".
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def locked_requirements() -> str:
    """Pipfile.lock's packages (default and develop) as pinned requirement lines."""
    lock = json.loads((ROOT / "Pipfile.lock").read_text())
    lines = []
    for section in ("default", "develop"):
        for name, entry in sorted(lock.get(section, {}).items()):
            if entry.get("version"):
                lines.append(f"{name}{entry['version']}")
    return "\n".join(dict.fromkeys(lines)) + "\n"


def main() -> int:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as reqs:
        reqs.write(locked_requirements())
    result = subprocess.run(
        [sys.executable, "-m", "pip_audit", "-r", reqs.name, "--no-deps", "--disable-pip",
         "--format", "json", "--progress-spinner", "off"],
        capture_output=True, text=True, check=False)
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        print(result.stdout + result.stderr, file=sys.stderr)
        return 1
    packages = report.get("dependencies", [])
    skipped = [p for p in packages if p.get("skip_reason")]
    fixable, unfixed = [], []
    for package in packages:
        for vuln in package.get("vulns", []):
            line = (f"{package['name']} {package['version']}: {vuln['id']} "
                    f"(fixed in {', '.join(vuln['fix_versions']) or 'no release yet'})")
            (fixable if vuln["fix_versions"] else unfixed).append(line)
    for line in unfixed:
        print(f"known, no fix yet: {line}")
    for line in fixable:
        print(f"VULNERABLE, fix available: {line}")
    audited = len(packages) - len(skipped)
    if skipped and audited == 0:
        print(f"pip-audit: the advisory service answered for none of the {len(packages)} "
              "locked packages (no route to it from this machine); nothing was audited.")
    else:
        print(f"pip-audit: {audited} locked packages audited, {len(skipped)} skipped, "
              f"{len(fixable)} fixable vulnerabilities.")
    return 1 if fixable else 0


if __name__ == "__main__":
    sys.exit(main())
