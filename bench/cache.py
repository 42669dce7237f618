"""BENCH_CACHE=1: keep the back office's large database between runs (instance/bench-cache/).

Seeding 1,000,000 orders takes minutes; with the cache the first run seeds and keeps the
database with the secrets it was written with (its personal data is sealed with them and the
owner's password hashed with them), and later runs serve it in place. The key covers the
sizes, every migration and the seed modules, so a change to any of them seeds afresh.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "instance" / "bench-cache"
SECRETS = ("SECRET_KEY", "SECURITY_PASSWORD_SALT", "STORE_DATA_KEYS", "STORE_LOOKUP_KEY")


def _key(sizes: dict) -> str:
    digest = hashlib.sha256(json.dumps(sizes, sort_keys=True).encode())
    sources = sorted((ROOT / "migrations" / "versions").glob("*.py"))
    sources += [ROOT / "store" / "dev" / "seed.py", ROOT / "store" / "dev" / "seed_orders.py"]
    for source in sources:
        digest.update(source.name.encode() + source.read_bytes())
    return digest.hexdigest()[:16]


def folder(name: str, sizes: dict) -> Path:
    return CACHE / f"{name}-{_key(sizes)}"


def lookup(name: str, sizes: dict) -> tuple[Path, dict] | None:
    """The cached database and what it was seeded with, or None."""
    found = folder(name, sizes)
    meta = found / "bench.json"
    if not meta.is_file():
        return None
    return found / f"{name}.db", json.loads(meta.read_text())


def keep(name: str, sizes: dict, db_path: Path, env: dict, extra: dict) -> Path:
    """Move a freshly seeded database into the cache with its secrets; its new path."""
    target = folder(name, sizes)
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for part in db_path.parent.glob(db_path.name + "*"):  # the database and any -wal/-shm
        shutil.move(part, target / part.name.replace(db_path.name, f"{name}.db"))
    meta = {"env": {k: env[k] for k in SECRETS}, **extra}
    (target / "bench.json").write_text(json.dumps(meta, indent=2))
    return target / f"{name}.db"
