"""wrk: installing it when missing, running it, and reading its --latency report."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_DURATION = re.compile(r"^([\d.]+)(us|ms|s|m|h)$")


class WrkError(RuntimeError):
    """wrk is missing and cannot be installed, or its report cannot be read."""


def ensure_wrk() -> str:
    """The path of wrk, installing the Debian package first when it is missing (as root)."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        raise WrkError("wrk is not installed: run `sudo apt-get install wrk` (Debian/Ubuntu) "
                       "and then `make bench` again")
    print("bench: installing wrk (apt-get install wrk) ...", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "install", "-y", "-q", "wrk"],
                ["sh", "-c", "apt-get update -q && apt-get install -y -q wrk"]):
        done = subprocess.run(cmd, env=env, capture_output=True)
        if done.returncode == 0 and shutil.which("wrk"):
            return shutil.which("wrk")
    raise WrkError("wrk is missing and `apt-get install wrk` failed: install it by hand")


def to_ms(text: str) -> float:
    """wrk's '812.00us', '3.41ms' or '1.02s' in milliseconds."""
    match = _DURATION.match(text.strip())
    if not match:
        raise WrkError(f"not a wrk duration: {text!r}")
    return float(match.group(1)) * UNITS_MS[match.group(2)]


def parse(report: str) -> dict:
    """Requests/s, the latency percentiles (ms), the request count and the errors of a run."""
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", report, re.M)
    if not rps:
        raise WrkError("wrk printed no Requests/sec line:\n" + report[-800:])
    percentiles = {int(p): to_ms(v) for p, v in re.findall(r"^\s+(\d+)%\s+(\S+)\s*$", report, re.M)}
    if 50 not in percentiles or 99 not in percentiles:
        raise WrkError("wrk printed no latency distribution (run it with --latency)")
    requests = re.search(r"^\s+(\d+) requests in", report, re.M)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", report)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                        report)
    return {
        "rps": float(rps.group(1)),
        "p50_ms": percentiles[50], "p75_ms": percentiles.get(75),
        "p90_ms": percentiles.get(90), "p99_ms": percentiles[99],
        "requests": int(requests.group(1)) if requests else 0,
        "non_2xx_3xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": sum(map(int, sockets.groups())) if sockets else 0,
    }


def run(url: str, *, seconds: float, threads: int = 2, connections: int = 16,
        headers: dict[str, str] | None = None) -> dict:
    """Run wrk against url (e.g. with a Cookie header) and return parse() of its report."""
    cmd = [ensure_wrk(), f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
           "--latency", "--timeout", "10s"]
    for name, value in (headers or {}).items():
        cmd += ["-H", f"{name}: {value}"]
    done = subprocess.run(cmd + [url], capture_output=True, text=True, timeout=seconds + 60)
    if done.returncode != 0:
        raise WrkError(f"wrk failed on {url}: {done.stderr.strip() or done.stdout[-500:]}")
    return parse(done.stdout)
