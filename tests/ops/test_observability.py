"""Production operations: the JSON request log, request ids, /readyz, /metrics, the proxy."""

from __future__ import annotations

import json
import logging
import shutil

import pytest
from flask import request
from flask_migrate import stamp, upgrade

from store.config import ROOT
from store.extensions import db
from store.ops.logs import JsonFormatter
from tests.conftest import make_app
from tests.factories import make_product


def _request_lines(caplog) -> list[dict]:
    formatter = JsonFormatter()
    return [json.loads(formatter.format(record)) for record in caplog.records
            if record.name == "store.request"]


def test_each_request_writes_one_json_line_without_personal_data(client, auth, caplog):
    user = auth.login("customer", "jane.doe@example.com")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="store.request"):
        response = client.get("/orders/SS-AAAA-BBBB?token=secret-token-value")
    [line] = _request_lines(caplog)
    assert line["method"] == "GET" and line["path"] == "/orders/SS-AAAA-BBBB"
    assert line["status"] == response.status_code == 404
    assert line["level"] == "info" and line["endpoint"] == "storefront.order_detail"
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["user_id"] == user.id
    assert line["request_id"] == response.headers["X-Request-ID"]
    raw = json.dumps(line)
    assert "jane.doe" not in raw and "secret-token-value" not in raw
    assert user.fs_uniquifier not in raw  # the session-bearing id never reaches the logs


def test_a_request_id_from_the_proxy_is_kept_and_a_bad_one_replaced(client):
    kept = client.get("/healthz", headers={"X-Request-ID": "edge-1234abcd"})
    assert kept.headers["X-Request-ID"] == "edge-1234abcd"
    replaced = client.get("/healthz", headers={"X-Request-ID": "<script>alert(1)</script>"})
    assert replaced.headers["X-Request-ID"] != "<script>alert(1)</script>"
    assert len(replaced.headers["X-Request-ID"]) == 32
    assert client.get("/healthz").headers["X-Request-ID"] != replaced.headers["X-Request-ID"]


def test_a_server_error_logs_its_traceback_and_shows_the_request_id(tmp_path, caplog):
    app = make_app(tmp_path, PROPAGATE_EXCEPTIONS=False)

    @app.get("/boom")
    def boom():
        raise RuntimeError("the database fell over")

    client = app.test_client()
    with caplog.at_level(logging.INFO):
        response = client.get("/boom")
    request_id = response.headers["X-Request-ID"]
    assert response.status_code == 500
    assert request_id in response.get_data(as_text=True)
    lines = [json.loads(JsonFormatter().format(r)) for r in caplog.records]
    error = next(line for line in lines if line.get("traceback"))
    assert error["level"] == "error" and error["error"] == "RuntimeError"
    assert "the database fell over" in error["traceback"]
    [request_line] = [line for line in lines if line["logger"] == "store.request"]
    assert request_line["status"] == 500 and request_line["level"] == "error"


def test_readyz_fails_until_the_migrations_have_run(tmp_path):
    (tmp_path / "ready").mkdir()
    app = make_app(tmp_path / "ready")
    client = app.test_client()
    with app.app_context():
        db.drop_all()
        db.session.remove()
        upgrade(directory=str(ROOT / "migrations"), revision="0014")
    pending = client.get("/readyz")
    assert pending.status_code == 503
    assert "pending" in pending.get_json()["migrations"]
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json()["status"] == "ok"
    with app.app_context():
        stamp(directory=str(ROOT / "migrations"), revision="0013")
    assert client.get("/readyz").status_code == 503


def test_readyz_fails_when_the_database_is_unreachable(tmp_path):
    folder = tmp_path / "gone"
    folder.mkdir()
    app = make_app(folder)
    with app.app_context():
        db.engine.dispose()
    shutil.rmtree(folder)  # the database's disk went away
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


@pytest.fixture
def app_config():
    return {"METRICS_TOKEN": "metrics-token-0123456789"}


def test_metrics_refuse_anonymous_and_wrong_tokens(client):
    assert client.get("/metrics").status_code == 401
    wrong = client.get("/metrics", headers={"Authorization": "Bearer guess"})
    assert wrong.status_code == 401 and "store_" not in wrong.get_data(as_text=True)


def test_metrics_count_requests_and_read_the_shop_from_the_database(client):
    make_product(stock=0)
    client.get("/products/")
    response = client.get("/metrics",
                          headers={"Authorization": "Bearer metrics-token-0123456789"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert ('store_http_requests_total{endpoint="storefront.product_list",method="GET",'
            'status="200"}') in body
    assert "store_orders_placed_total 0.0" in body
    assert 'store_outbox_messages{status="pending"}' in body
    assert "store_variants_out_of_stock 1.0" in body


def test_without_a_token_configured_there_is_no_metrics_page(tmp_path):
    app = make_app(tmp_path)
    assert app.test_client().get(
        "/metrics", headers={"Authorization": "Bearer "}).status_code == 404


def test_behind_a_proxy_the_client_address_is_the_forwarded_one(tmp_path):
    def served(proxies: int) -> str:
        (tmp_path / str(proxies)).mkdir()
        app = make_app(tmp_path / str(proxies), STORE_PROXY_COUNT=proxies)
        app.get("/whoami")(lambda: request.remote_addr)
        return app.test_client().get(
            "/whoami", headers={"X-Forwarded-For": "203.0.113.9, 10.0.0.2"},
            environ_base={"REMOTE_ADDR": "10.0.0.1"}).get_data(as_text=True)

    assert served(0) == "10.0.0.1"   # no proxy configured: a forged header changes nothing
    assert served(1) == "10.0.0.2"   # one proxy: its view of the client
    assert served(2) == "203.0.113.9"
