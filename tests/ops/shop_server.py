"""The shop served by gunicorn on a file SQLite, and shoppers that buy from it over HTTP.

gunicorn loads `tests.ops.shop_server:app_from_env()`: the test app configuration (from
tests.conftest) with overrides passed as JSON in STORE_TEST_CONFIG.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import requests

from store import create_app
from tests.conftest import base_config, free_port
from tests.shopping import ADDRESS

ROOT = Path(__file__).resolve().parents[2]
# Many shoppers from one address: lift the per-address caps, which are not under test here.
SERVER_CONFIG = {
    "RATELIMIT_ENABLED": False, "STORE_DELIVER_AFTER_REQUEST": False,
    "STORE_UNPAID_ORDERS_PER_ADDRESS": 100_000, "STORE_UNPAID_ORDERS_PER_EMAIL": 100_000,
}


def app_from_env():
    """The WSGI app gunicorn serves (a factory: gunicorn calls it in each worker)."""
    overrides = json.loads(os.environ["STORE_TEST_CONFIG"])
    return create_app(base_config(Path(overrides.pop("TMP_PATH")), **overrides))


class Gunicorn:
    """A running gunicorn: its master process, its address and its workers."""

    def __init__(self, tmp_path: Path, database_url: str, workers: int = 3, *,
                 config: dict | None = None, name: str = "gunicorn"):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = {**SERVER_CONFIG, "TMP_PATH": str(tmp_path),
                  "SQLALCHEMY_DATABASE_URI": database_url, **(config or {})}
        env = {**os.environ, "STORE_TEST_CONFIG": json.dumps(config)}
        self.log_path = tmp_path / f"{name}.log"
        self.log = open(self.log_path, "wb")  # noqa: SIM115  (closed in stop)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind",
             f"127.0.0.1:{self.port}", "--timeout", "30", "--graceful-timeout", "2",
             # Workers fork from a master that built the app: a killed one is back at once.
             "--preload",
             "tests.ops.shop_server:app_from_env()"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def workers(self) -> list[int]:
        """The worker processes' ids (the master's children)."""
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()]

    def wait_ready(self, workers: int = 3, timeout: float = 30) -> None:
        """Wait until the shop answers and `workers` workers run."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "gunicorn exited; see gunicorn.log"
            try:
                if requests.get(self.url + "/healthz", timeout=2).status_code == 200 \
                        and len(self.workers()) >= workers:
                    return
            except requests.RequestException:  # still booting
                pass
            time.sleep(0.2)
        raise AssertionError("gunicorn did not come up")

    def kill_workers(self) -> list[int]:
        """SIGKILL every worker at once (the master starts new ones)."""
        killed = self.workers()
        for pid in killed:
            os.kill(pid, signal.SIGKILL)
        return killed

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


@contextmanager
def gunicorn(tmp_path: Path, database_url: str, workers: int = 3, **options):
    """Serve the shop on `database_url` with gunicorn for the block (options: config, name)."""
    server = Gunicorn(tmp_path, database_url, workers, **options)
    try:
        server.wait_ready(workers)
        yield server
    finally:
        server.stop()


def _hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html) or re.search(
        rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no hidden field {name}"
    return match.group(1)


class Shopper:
    """One customer's browser (its own cookie jar) buying from the served shop."""

    def __init__(self, url: str, name: str):
        self.url = url
        self.name = name
        self.http = requests.Session()
        self.count = 0

    def buy(self, variant_id: int) -> str:
        """Put one item in the cart and check out; the order number of the confirmation
        page shown. Network errors (a killed worker) propagate."""
        cart = self.http.get(self.url + "/cart", timeout=30)
        added = self.http.post(self.url + "/cart/items", timeout=30, allow_redirects=False,
                               data={"csrf_token": _hidden(cart.text, "csrf_token"),
                                     "variant_id": variant_id, "quantity": 1})
        assert added.status_code == 303, added.status_code
        page = self.http.get(self.url + "/checkout", timeout=30)
        assert page.status_code == 200, page.status_code
        self.count += 1
        form = {**ADDRESS, "email": f"{self.name}-{self.count}@example.com",
                "csrf_token": _hidden(page.text, "csrf_token"),
                "checkout_token": _hidden(page.text, "checkout_token")}
        placed = self.http.post(self.url + "/checkout", data=form, timeout=30,
                                allow_redirects=False)
        assert placed.status_code == 303 and "/orders/" in placed.headers["Location"], (
            placed.status_code, placed.text[-500:])
        confirmation = self.http.get(self.url + placed.headers["Location"], timeout=30)
        assert confirmation.status_code == 200, confirmation.status_code
        return re.search(r"/orders/([^?/]+)", placed.headers["Location"]).group(1)


class Crowd:
    """Shoppers buying in threads until stopped; what each saw confirmed, and what failed."""

    def __init__(self, url: str, variant_ids: list[int], shoppers: int = 8):
        self.url = url
        self.variant_ids = variant_ids
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.confirmed: list[tuple[float, str]] = []  # (monotonic time shown, number)
        self.dropped = 0  # attempts cut off by a killed worker
        self.errors: list[str] = []
        self.threads = [threading.Thread(target=self._run, args=(f"shopper{i}",))
                        for i in range(shoppers)]

    def _run(self, name: str) -> None:
        shopper = Shopper(self.url, name)
        turn = 0
        while not self.stop.is_set():
            turn += 1
            try:
                number = shopper.buy(self.variant_ids[turn % len(self.variant_ids)])
            except requests.RequestException:
                with self.lock:
                    self.dropped += 1
                shopper = Shopper(self.url, name)  # a new browser; the old cart may be half
                time.sleep(0.05)
                continue
            except AssertionError as exc:
                with self.lock:
                    self.errors.append(f"{name}: {exc}")
                continue
            with self.lock:
                self.confirmed.append((time.monotonic(), number))

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)
        assert not any(thread.is_alive() for thread in self.threads), "a shopper hung"

    def wait_for(self, count: int, timeout: float = 20) -> None:
        """Wait until `count` more checkouts were confirmed (a busy machine is slower)."""
        with self.lock:
            target = len(self.confirmed) + count
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.confirmed) >= target:
                    return
            time.sleep(0.05)

    def confirmed_before(self, moment: float) -> set[str]:
        with self.lock:
            return {number for shown, number in self.confirmed if shown < moment}
