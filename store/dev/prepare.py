"""`python app.py`: make a fresh clone servable without make.

The brief's own steps are `pipenv install`, `python app.py`, then `flask run`. Before the
first request the pages need a database at the current migration, the demo shop (in
development), compiled stylesheets, the storefront scripts (when npm is installed) and
compiled translations; `prepare` makes whichever is
missing, and does nothing more on the next start.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy.engine import make_url

from store.config import ROOT
from store.dev.assets import build_css, build_scripts, scripts_missing
from store.dev.seed import seed_demo

SCSS = ROOT / "static" / "scss"
CSS = ROOT / "static" / "css"
TRANSLATIONS = ROOT / "translations"


def css_missing(scss: Path = SCSS, css: Path = CSS) -> bool:
    """Whether a stylesheet is missing or older than its SCSS source."""
    for source in scss.glob("[!_]*.scss"):
        built = css / f"{source.stem}.css"
        if not built.exists():
            return True
        newest = max(p.stat().st_mtime for p in scss.glob("*.scss"))
        if built.stat().st_mtime < newest:
            return True
    return False


def compile_translations(root: Path = TRANSLATIONS) -> list[Path]:
    """Compile every messages.po whose messages.mo is missing or older; the files written."""
    written = []
    for po_path in sorted(root.glob("*/LC_MESSAGES/messages.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        written.append(mo_path)
    return written


def _sqlite_folder(app: Flask) -> None:
    """Create the folder of a SQLite database file (SQLite creates the file, not its folder)."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)


def prepare(app: Flask, *, echo=print) -> None:
    """Build what is missing, bring the database to the current migration and, in
    development, seed the demo shop when it is empty."""
    if css_missing():
        build_css()
        echo("Built the stylesheets (static/css/).")
    if scripts_missing():
        echo(build_scripts())
    if compile_translations():
        echo("Compiled the translations.")
    _sqlite_folder(app)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        if app.config["STORE_ENV"] != "production":
            created = seed_demo()
            if created["products"] or created["users"]:
                echo(f"Seeded the demo shop: {created['products']} products, "
                     f"{created['users']} accounts.")
