"""Who is visiting, as far as the shop needs to know: a first-party session key, the visit's
landing page, referrer host and campaign, and whether to record anything at all.

Nothing here reads the database: it runs in every storefront request.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from datetime import UTC, datetime
from urllib.parse import urlencode, urlsplit

from flask import Request

SESSION_KEY = "_analytics"
# A visit ends after this long without an event; a new campaign or referrer starts a new one.
VISIT_IDLE_SECONDS = 30 * 60
# Crawlers, link previews, monitors and scripts: their requests are no customers.
BOT_AGENT = re.compile(
    r"bot|crawl|spider|slurp|preview|facebookexternalhit|embedly|monitor|uptime|pingdom|"
    r"headless|lighthouse|python-|curl/|wget|httpclient|java/|go-http|okhttp|scrapy|"
    r"libwww|httpx|aiohttp|node-fetch|axios|phantomjs|wrk", re.IGNORECASE)
UTM = ("utm_source", "utm_medium", "utm_campaign")


def is_bot(user_agent: str | None) -> bool:
    """True for an empty user agent or one that names a crawler, monitor or script."""
    return not user_agent or bool(BOT_AGENT.search(user_agent))


def may_record(request: Request) -> bool:
    """False when the browser asks not to be tracked (Global Privacy Control) or is a bot."""
    if request.headers.get("Sec-GPC", "").strip() == "1":
        return False
    return not is_bot(request.headers.get("User-Agent"))


def referrer_host(request: Request) -> str:
    """The referring site's host name; "direct" without one or from the shop itself."""
    referrer = request.referrer
    if not referrer:
        return "direct"
    try:
        host = (urlsplit(referrer).hostname or "").lower()
    except ValueError:
        return "direct"
    if not host or host == (request.host.split(":")[0] or "").lower():
        return "direct"
    return host[:255]


def _campaign(request: Request) -> list[str]:
    args = request.args
    if not args:
        return ["", "", ""]
    return [(args.get(name) or "").strip()[:100] for name in UTM]


def landing_path(request: Request, campaign: list[str]) -> str:
    """The page a visit began on, without what could identify someone: links with a token
    or an order number keep their pattern (/orders/<number>), the query only its UTM."""
    path = request.path
    if request.url_rule is not None and set(request.view_args or {}) - {"slug"}:
        path = request.url_rule.rule
    query = urlencode([(name, value) for name, value in zip(UTM, campaign, strict=True) if value])
    return (path + "?" + query if query else path)[:255]


def current_visit(request: Request, session, now: float | None = None) -> tuple[dict, bool]:
    """This browser's visit and whether it starts with this request: when there is none, it
    went idle, or the request arrives from another site or campaign. The session keeps it
    (no cookie of its own)."""
    now = time.time() if now is None else now
    state = session.get(SESSION_KEY)
    campaign = _campaign(request)
    host = referrer_host(request)
    arriving = any(campaign) or host != "direct"
    if (state is None or now - state.get("seen", 0) > VISIT_IDLE_SECONDS
            or (arriving and (campaign != state.get("utm") or host != state.get("host")))):
        key = state["key"] if state else secrets.token_hex(12)
        state = {"key": key, "landing": landing_path(request, campaign), "host": host,
                 "utm": campaign, "seen": now}
        session[SESSION_KEY] = state
        return state, True
    if now - state.get("seen", 0) > 60:
        # Refreshed at most once a minute, so most pages do not rewrite the session.
        state = {**state, "seen": now}
        session[SESSION_KEY] = state
    return state, False


def visitor_hash(address: str | None, salt: str, day: datetime | None = None) -> str | None:
    """A salted hash of the address that changes every UTC day (unique visitors, no IP)."""
    if not address:
        return None
    day = day or datetime.now(UTC)
    message = f"{day:%Y-%m-%d}|{address}".encode()
    return hmac.new(salt.encode(), message, hashlib.sha256).hexdigest()[:16]
