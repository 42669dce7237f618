"""Issue 14's targets, the printed table and bench/results.json."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from bench.pages import Row

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {
    "page": ">=0.7x base, p99<=50ms",
    "search": "p99<=30ms",
    "analytics": "on/off >= 0.95 (base=on)",
    "checkout": ">=200/s, p99<=100ms, 0 err",
    "checkout-pg": "reported",
    "admin": "median<100ms",
}
COLUMNS = (("row", 30, "<"), ("shop rps", 9, ">"), ("base rps", 9, ">"), ("ratio", 6, ">"),
           ("p50 ms", 8, ">"), ("p99 ms", 8, ">"), ("target", 27, "<"), ("met?", 5, "<"))


def _met(target: str, ratio, p50, p99, extra: dict) -> bool | None:
    checks = {
        "page": lambda: ratio is not None and ratio >= 0.7 and p99 <= 50,
        "search": lambda: p99 <= 30,
        "analytics": lambda: extra.get("analytics_ratio") is not None
        and extra["analytics_ratio"] >= 0.95,
        "checkout": lambda: extra.get("orders_per_s", 0) >= 200 and p99 <= 100
        and not extra.get("problems"),
        "admin": lambda: p50 < 100,
    }
    return checks[target]() if target in checks else None


def table_row(label, shop, baseline, p50, p99, target="", **extra) -> dict:
    ratio = round(shop / baseline, 3) if shop and baseline else None
    met = _met(target, ratio, p50, p99, extra) if p99 is not None else False
    if extra.get("errors"):
        met = False
    return {"row": label, "shop_rps": shop, "baseline_rps": baseline, "ratio": ratio,
            "p50_ms": p50, "p99_ms": p99, "target": TARGETS.get(target, ""),
            "met": met, **extra}


def page_rows(rows: list[Row]) -> list[dict]:
    """Table rows of measured pages; the analytics row compares the shop with analytics (as
    the baseline column) to the shop without (ratio: on / off)."""
    out = []
    for row in rows:
        shop_name = next(n for n in row.paths if n != "baseline")
        other = "shop" if row.target == "analytics" else "baseline"
        shop, base = row.summary(shop_name), row.summary(other)
        if shop is None:
            continue
        extra = {"errors": shop["errors"] + (base["errors"] if base else 0),
                 "paths": row.paths, "rounds": {shop_name: shop["rounds"],
                                                other: base["rounds"] if base else []}}
        if row.target == "analytics" and base:
            extra["analytics_ratio"] = round(base["rps"] / shop["rps"], 3)
        made = table_row(row.label, shop["rps"], base["rps"] if base else None,
                         shop["p50_ms"], shop["p99_ms"], row.target, **extra)
        if "analytics_ratio" in extra:
            made["ratio"] = extra["analytics_ratio"]
        out.append(made)
    return out


def _cell(value) -> str:
    if value is None or value == "":
        return "-"
    if value is True:
        return "yes"
    if value is False:
        return "NO"
    if isinstance(value, float):
        return f"{value:.2f}" if value < 10 else f"{value:.0f}"
    return str(value)


def render(rows: list[dict]) -> str:
    keys = ("row", "shop_rps", "baseline_rps", "ratio", "p50_ms", "p99_ms", "target", "met")
    header = "  ".join(f"{name:{align}{width}}" for name, width, align in COLUMNS)
    lines = [header, "-" * len(header)]
    for row in rows:
        cells = [_cell(row.get(k)) for k in keys]
        lines.append("  ".join(f"{cell:{align}{width}}" for cell, (_n, width, align)
                               in zip(cells, COLUMNS, strict=True)).rstrip())
    return "\n".join(lines)


def git_rev() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                          capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                           capture_output=True, text=True).stdout.strip()
    return done.stdout.strip() + ("+dirty" if dirty else "")


def write_results(path: Path, rows: list[dict], details: dict, settings: dict) -> None:
    payload = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "git_rev": git_rev(),
               "command": "make bench (python -m bench)", "settings": settings,
               "rows": rows, **details}
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n")
