"""The repository's gunicorn configuration serves the shop and logs one JSON line per request."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import requests

from store.extensions import db
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]


def test_gunicorn_conf_serves_the_shop_with_json_request_lines(app, tmp_path):
    database = app.config["SQLALCHEMY_DATABASE_URI"]
    db.session.remove()
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database, "PORT": str(port), "WEB_CONCURRENCY": "2",
           "STORE_LOG_FORMAT": "json", "UPLOAD_FOLDER": str(tmp_path / "uploads")}
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "app:app"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, log.read_text()
            try:
                response = requests.get(f"http://127.0.0.1:{port}/products/?q=tee",
                                        headers={"X-Request-ID": "probe-0001"}, timeout=30)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        assert response.status_code == 200
        assert response.headers["X-Request-ID"] == "probe-0001"
    finally:
        server.terminate()
        server.wait(timeout=15)
    lines = [json.loads(line) for line in log.read_text().splitlines()
             if line.startswith("{")]
    [request_line] = [line for line in lines if line.get("request_id") == "probe-0001"]
    assert request_line["path"] == "/products/" and request_line["status"] == 200
    assert "q=tee" not in json.dumps(request_line)
    # gunicorn's own access log is off: the app's line is the only record of the request
    assert not [line for line in log.read_text().splitlines()
                if "GET /products/" in line and not line.startswith("{")]
