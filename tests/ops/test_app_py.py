"""The brief's own workflow on a database that does not exist yet: `python app.py` prepares
and serves the shop, then `flask run` serves the same shop."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import requests

from store.dev.prepare import compile_translations, css_missing
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]


def _wait_for(url: str, process: subprocess.Popen, seconds: float = 90) -> requests.Response:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server stopped before answering"
        try:
            return requests.get(url, timeout=5)
        except requests.ConnectionError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer within {seconds} s")


def _serve(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    with log.open("wb") as out:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def test_python_app_py_prepares_and_serves_then_flask_run_serves_the_same(tmp_path):
    database = tmp_path / "new-folder" / "store.db"
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "PORT": str(port),
           "UPLOAD_FOLDER": str(tmp_path / "uploads"), "STORE_ENV": "development",
           "MAIL_PORT": str(free_port())}
    env.pop("FLASK_APP", None)
    first = _serve([sys.executable, "app.py"], env, tmp_path / "app.log")
    try:
        home = _wait_for(f"http://localhost:{port}/", first)
        assert home.status_code == 200, (tmp_path / "app.log").read_text()
        assert "Harbour Lights Tee" in requests.get(
            f"http://localhost:{port}/products/?q=harbour", timeout=5).text
        stylesheet = requests.get(f"http://localhost:{port}/static/css/main.css", timeout=5)
        assert stylesheet.status_code == 200 and len(stylesheet.content) > 1000
        log = (tmp_path / "app.log").read_text()
        assert "Demo accounts" in log
        # the migrations ran in this process and left its request log alone
        assert "store.request: GET /products/ 200" in log
    finally:
        _stop(first)
    assert database.exists()

    second = _serve([sys.executable, "-m", "flask", "run", "--port", str(port)], env,
                    tmp_path / "flask.log")
    try:
        products = _wait_for(f"http://127.0.0.1:{port}/products/?q=harbour", second)
        assert products.status_code == 200 and "Harbour Lights Tee" in products.text
    finally:
        _stop(second)


def test_stylesheets_and_translations_are_rebuilt_only_when_missing_or_stale(tmp_path):
    scss, css = tmp_path / "scss", tmp_path / "css"
    scss.mkdir()
    css.mkdir()
    (scss / "_partial.scss").write_text("$c: red;")
    (scss / "main.scss").write_text("@import 'partial'; a { color: $c; }")
    assert css_missing(scss, css)
    (css / "main.css").write_text("a{color:red}")
    assert not css_missing(scss, css)
    os.utime(css / "main.css", (1, 1))  # older than its sources
    assert css_missing(scss, css)

    messages = tmp_path / "es" / "LC_MESSAGES"
    messages.mkdir(parents=True)
    po = messages / "messages.po"
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                  'msgid "Cart"\nmsgstr "Carrito"\n', encoding="utf-8")
    assert compile_translations(tmp_path) == [messages / "messages.mo"]
    assert (messages / "messages.mo").stat().st_size > 0
    assert compile_translations(tmp_path) == []
