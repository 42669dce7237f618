"""A tiny browser for the benchmark: keep-alive HTTP, its own cookies, forms scraped from HTML.

The shop runs in production configuration, so its cookies are `Secure`; a real client would
not send them over plain HTTP, but the bench talks to 127.0.0.1 without TLS, so this browser
keeps every cookie it is given and sends them all back (as a TLS-terminating proxy would).
"""

from __future__ import annotations

import http.client
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str
    ms: float

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


class Browser:
    """One visitor: a session (cookies) over one keep-alive connection to host:port."""

    def __init__(self, port: int, host: str = "127.0.0.1", timeout: float = 60):
        self.host, self.port, self.timeout = host, port, timeout
        self.cookies: dict[str, str] = {}
        self._conn: http.client.HTTPConnection | None = None

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def request(self, method: str, path: str, form: dict | None = None,
                headers: dict | None = None) -> Response:
        body = urlencode(form, doseq=True) if form is not None else None
        sent = {"Host": f"{self.host}:{self.port}", "User-Agent": "store-bench"}
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            sent["Cookie"] = self.cookie_header()
        sent.update(headers or {})
        response = send(self._connection(), method, path, body, sent)
        for raw in response.pop("set-cookie", []):
            jar = SimpleCookie()
            jar.load(raw)
            for name, morsel in jar.items():
                self.cookies[name] = morsel.value
        return Response(**response)

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, form: dict) -> Response:
        return self.request("POST", path, form)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            self._conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        return self._conn


def send(conn: http.client.HTTPConnection, method: str, path: str, body, headers) -> dict:
    """One request on a keep-alive connection (reconnecting once if the server closed it)."""
    for attempt in (1, 2):
        start = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers)
            raw = conn.getresponse()
            text = raw.read().decode("utf-8", "replace")
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            conn.close()
            if attempt == 2:
                raise
            continue
        ms = (time.perf_counter() - start) * 1000
        if raw.getheader("connection", "").lower() == "close":
            conn.close()
        return {"status": raw.status, "body": text, "ms": ms,
                "headers": {k.lower(): v for k, v in raw.getheaders() if k.lower() != "set-cookie"},
                "set-cookie": raw.headers.get_all("Set-Cookie") or []}
    raise AssertionError("unreachable")


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)


class _FormParser(HTMLParser):
    """Collects each <form>'s successful controls as a browser would submit them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._select: str | None = None
        self._select_first: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("action", ""), a.get("method", "get").lower()))
        elif not self.forms:
            return
        elif tag == "input" and a.get("name") and "disabled" not in a:
            kind = a.get("type", "text").lower()
            if kind in ("radio", "checkbox") and "checked" not in a:
                return
            if kind not in ("submit", "button", "image", "file", "reset"):
                default = "on" if kind == "checkbox" else ""
                self.forms[-1].fields[a["name"]] = a.get("value", default)
        elif tag == "textarea" and a.get("name"):
            self.forms[-1].fields[a["name"]] = ""
        elif tag == "select" and a.get("name"):
            self._select, self._select_first = a["name"], None
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._select_first is None:
                self._select_first = value
                self.forms[-1].fields.setdefault(self._select, value)
            if "selected" in a:
                self.forms[-1].fields[self._select] = value

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def forms(html: str) -> list[Form]:
    """The forms of a page, each with the values a browser would submit unchanged."""
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def form_with(html: str, name: str, action_part: str = "") -> Form:
    """The first form that has a field called `name` (and whose action contains action_part)."""
    for found in forms(html):
        if name in found.fields and action_part in found.action:
            return found
    raise LookupError(f"no form with a {name!r} field{' to ' + action_part if action_part else ''}")
