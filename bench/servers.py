"""The processes a bench run serves from: gunicorn (the shop or the baseline) and a mail sink.

Every process starts in its own session and is registered, so `stop_all()` (called on exit,
on Ctrl-C and on SIGTERM) ends each one's whole process group: no worker outlives the run
and no port stays taken.
"""

from __future__ import annotations

import atexit
import base64
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNNING: list[Process] = []
UNLIMITED = "1000000/minute"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(mail_port: int) -> dict[str, str]:
    """Everything STORE_ENV=production requires (fresh secrets), with the limits lifted.

    The rate limits and unpaid-order caps are set high through their own environment
    variables (store/config.py reads each one), since every bench buyer comes from 127.0.0.1;
    two-factor for staff is switched off so the owner can sign in with a password.
    """
    return {
        "STORE_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "SECURITY_PASSWORD_SALT": secrets.token_hex(16),
        "TRUSTED_HOSTS": "127.0.0.1,localhost",
        "STORE_URL": "http://127.0.0.1",
        "STORE_DATA_KEYS": "bench1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        "STORE_LOOKUP_KEY": secrets.token_hex(32),
        "STORE_REQUIRE_2FA_FOR_STAFF": "0",
        "STORE_CHECKOUT_LIMIT": UNLIMITED,
        "STORE_CHECKOUT_LIMIT_PER_ADDRESS": UNLIMITED,
        "STORE_AUTH_LIMIT_PER_ADDRESS": UNLIMITED,
        "STORE_AUTH_LIMIT_PER_ACCOUNT": UNLIMITED,
        "API_RATE_LIMIT": UNLIMITED,
        "STORE_UNPAID_ORDERS_PER_ADDRESS": str(10 ** 9),
        "STORE_UNPAID_ORDERS_PER_EMAIL": str(10 ** 9),
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(mail_port),
        "STORE_DEV_SMTP": "0",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_LOGLEVEL": "warning",
    }


class Process:
    """A child process in its own process group, with its output in a log file."""

    def __init__(self, name: str, cmd: list[str], env: dict[str, str], log: Path):
        self.name, self.log = name, log
        self._out = open(log, "wb")  # noqa: SIM115 (closed in stop)
        self.popen = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=self._out,
                                      stderr=subprocess.STDOUT, start_new_session=True)
        RUNNING.append(self)

    def log_tail(self, chars: int = 2000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self in RUNNING:
            RUNNING.remove(self)
        if self.popen.poll() is None:
            _signal_group(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=25)
            except subprocess.TimeoutExpired:
                _signal_group(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout=10)
        self._out.close()


class Gunicorn(Process):
    """gunicorn with the repo's gunicorn.conf.py serving `target` on a free port."""

    def __init__(self, name: str, target: str, env: dict[str, str], logdir: Path):
        self.port = free_port()
        full = {**os.environ, **env, "GUNICORN_BIND": f"127.0.0.1:{self.port}",
                "PYTHONPATH": str(ROOT)}
        cmd = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), target]
        super().__init__(name, cmd, full, logdir / f"{name}.log")
        self.peak_kb: dict[int, int] = {}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, path: str = "/", timeout: float = 90) -> None:
        """Until a request on path answers (any status) from each worker's side; else fail."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                raise RuntimeError(f"{self.name} exited ({self.popen.returncode}) on start:\n"
                                   f"{self.log_tail()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=5) as sock:
                    sock.sendall(f"GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".encode())
                    if sock.recv(12).startswith(b"HTTP/"):
                        if len(self.workers()) >= 2:
                            return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{self.name} did not answer on port {self.port} within "
                           f"{timeout:.0f} s:\n{self.log_tail()}")

    def workers(self) -> list[int]:
        pid = self.popen.pid
        try:
            return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        except OSError:
            return []

    def sample_memory(self) -> None:
        """Remember each live worker's VmHWM (peak resident set, kB)."""
        for pid in self.workers():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    self.peak_kb[pid] = max(self.peak_kb.get(pid, 0), int(line.split()[1]))


def mail_sink(logdir: Path) -> tuple[Process, int]:
    """An SMTP server that accepts and drops every message (as a local MTA would take it)."""
    port = free_port()
    cmd = [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
           "-c", "aiosmtpd.handlers.Sink"]
    sink = Process("mail-sink", cmd, dict(os.environ), logdir / "mail-sink.log")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return sink, port
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the mail sink (aiosmtpd) did not start:\n" + sink.log_tail())


def stop_all_but_sink() -> None:
    """Stop every gunicorn started so far (the mail sink serves the whole run)."""
    for process in list(reversed(RUNNING)):
        if isinstance(process, Gunicorn):
            process.stop()


def _signal_group(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def stop_all(*_args) -> None:
    for process in list(reversed(RUNNING)):
        process.stop()


def _on_sigterm(*_args):
    raise SystemExit("bench: terminated")


def install_cleanup() -> None:
    """Stop every started process when the bench ends, however it ends."""
    atexit.register(stop_all)
    signal.signal(signal.SIGTERM, _on_sigterm)
