"""Rate limits hold across app processes when their counters live in Redis.

Two gunicorn servers (one worker each, so every request's process is known) serve one shop
on one database. A client alternates between them; with `memory://` counters each process
counts alone and the limit doubles, with Redis the limit is the configured one.
"""

from __future__ import annotations

import os
import re
import uuid

import pytest
import requests

from store.extensions import db
from tests.ops.shop_server import gunicorn

REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
LIMIT = 4


def _failed_sign_ins(servers, attempts: int) -> list[int]:
    """Wrong-password sign-ins alternating between the servers; the status of each."""
    http = requests.Session()
    page = http.get(servers[0].url + "/login", timeout=10).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    statuses = []
    for attempt in range(attempts):
        server = servers[attempt % len(servers)]
        statuses.append(http.post(server.url + "/login", timeout=10, allow_redirects=False, data={
            "email": f"someone-{attempt}@example.com", "password": "wrong password 123",
            "csrf_token": token}).status_code)
    return statuses


def _limited(storage: str) -> dict:
    return {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": storage,
              "STORE_AUTH_LIMIT_PER_ADDRESS": f"{LIMIT}/minute",
              # a fresh key space per test run, so earlier runs' counters do not count
              "RATELIMIT_KEY_PREFIX": uuid.uuid4().hex}


@pytest.mark.parametrize("storage", ["redis", "memory"])
def test_a_sign_in_limit_holds_across_processes_only_with_redis(app, tmp_path, storage):
    if storage == "redis" and not REDIS_URL:
        pytest.skip("TEST_REDIS_URL not set (make test and .ci/run set it)")
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    db.session.remove()
    config = _limited(REDIS_URL if storage == "redis" else "memory://")
    with gunicorn(tmp_path, url, workers=1, config=config, name="first") as first, \
            gunicorn(tmp_path, url, workers=1, config=config, name="second") as second:
        statuses = _failed_sign_ins([first, second], 3 * LIMIT)
    allowed = statuses.count(200)
    assert set(statuses) <= {200, 429}, statuses
    if storage == "redis":
        assert allowed == LIMIT, statuses          # the limit, whichever process answered
        assert statuses[LIMIT:] == [429] * (2 * LIMIT)
    else:
        assert allowed == 2 * LIMIT, statuses      # each process counted alone
