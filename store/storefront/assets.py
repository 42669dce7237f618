"""The storefront's scripts built by Vite: `vite_asset('frontend/x.js')` in templates.

`npx vite build` writes static/dist/ and its manifest (static/dist/.vite/manifest.json), which
maps each entry to its hashed file, the shared chunks it imports and its stylesheets. The
manifest is read again only when the file changes, so a rebuild needs no restart.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from flask import has_request_context, request, url_for
from markupsafe import Markup, escape

from store.config import ROOT
from store.storefront.blueprint import bp
from store.web import csp_nonce

DIST = ROOT / "static" / "dist"
MANIFEST = DIST / ".vite" / "manifest.json"

log = logging.getLogger(__name__)
_cache: dict = {"key": None, "manifest": {}}


def load_manifest(path: Path = MANIFEST) -> dict:
    """The manifest as a dict ({} when the scripts are not built: pages work without them)."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        if _cache["key"] != "missing":
            log.warning("%s is missing: run `make build` for the storefront scripts.", path)
            _cache.update(key="missing", manifest={})
        return {}
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if _cache["key"] != key:
        _cache.update(key=key, manifest=json.loads(path.read_text(encoding="utf-8")))
    return _cache["manifest"]


def _imports(manifest: dict, name: str, seen: list[str]) -> list[str]:
    """The chunks `name` imports, depth first, each once."""
    for child in manifest.get(name, {}).get("imports", []):
        if child not in seen:
            seen.append(child)
            _imports(manifest, child, seen)
    return seen


def _dist_url(file: str) -> str:
    return url_for("static", filename=f"dist/{file}")


def _once(tag: str) -> bool:
    """Whether this tag is new on the page (two islands share the Vue chunk)."""
    if not has_request_context():
        return True
    # Per request (not `g`, which a test's app context shares between requests).
    written = request.environ.setdefault("store.vite_tags", set())
    if tag in written:
        return False
    written.add(tag)
    return True


@bp.app_template_global()
def vite_asset(entry: str) -> Markup:
    """The <script type="module"> of an entry, with its CSS and modulepreload links."""
    manifest = load_manifest()
    chunk = manifest.get(entry)
    if chunk is None:
        return Markup("")
    nonce = escape(csp_nonce())
    chunks = [chunk] + [manifest[name] for name in _imports(manifest, entry, [])]
    tags = []
    for part in chunks:
        for css in part.get("css", []):
            tags.append(f'<link rel="stylesheet" href="{escape(_dist_url(css))}">')
    for part in chunks[1:]:
        tags.append(f'<link rel="modulepreload" href="{escape(_dist_url(part["file"]))}" '
                    f'nonce="{nonce}">')
    tags.append(f'<script type="module" src="{escape(_dist_url(chunk["file"]))}" '
                f'nonce="{nonce}"></script>')
    return Markup("\n".join(tag for tag in tags if _once(tag)))

