"""What the storefront answered, turned into events, from outside its views.

An `after_request` hook reads the endpoint, its arguments and the status: a product page
answered 200 is a view, a cart add that succeeded (JSON 200, or the redirect with a success
message) is a cart add, the checkout page answered 200 is a checkout start, and a request
that inserted an order (seen by a mapper event, so double-submitted forms that find their
order do not count twice) and succeeded is a purchase. Nothing here queries the database.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app, g, has_request_context, request, session
from flask_login import current_user
from sqlalchemy import event

from store.analytics import consent, visits
from store.database import row_id
from store.models import Order

EXTENSION = "analytics"
STOREFRONT = "storefront"
PRODUCT = "storefront.product_detail"
CART_ADD = "storefront.cart_add"
CHECKOUT = "storefront.checkout_page"


@event.listens_for(Order, "after_insert")
def _order_placed(_mapper, _connection, order) -> None:
    """Remember the order a request placed, for its purchase event."""
    if has_request_context():
        g.setdefault("analytics_orders", []).append(order.id)


def _cart_add_succeeded(response, sess) -> bool:
    if response.status_code == 200:
        return True
    if response.status_code != 303:
        return False
    flashes = sess.get("_flashes") or []
    return bool(flashes) and flashes[-1][0] == "success"


def _kinds(request, sess, response) -> list[tuple[str, dict]]:
    """The funnel events this request makes, each with its own ids."""
    endpoint, method, status = request.endpoint, request.method, response.status_code
    found: list[tuple[str, dict]] = []
    if endpoint == PRODUCT and method == "GET" and status == 200:
        found.append(("view", {"product_slug": (request.view_args or {}).get("slug")}))
    elif endpoint == CART_ADD and method == "POST" and _cart_add_succeeded(response, sess):
        found.append(("cart_add", {"variant_id": row_id(request.form.get("variant_id"))}))
    elif endpoint == CHECKOUT and method == "GET" and status == 200:
        found.append(("checkout", {}))
    if status < 400:
        found.extend(("purchase", {"order_id": order_id})
                     for order_id in g.get("analytics_orders", ()))
    return found


def _is_page(request, response) -> bool:
    # A page a shared cache may keep must not get this visitor's session cookie.
    return (request.method == "GET" and response.status_code == 200
            and response.mimetype == "text/html"
            and "public" not in (response.headers.get("Cache-Control") or ""))


def record_response(response):
    """The after_request hook: buffer this request's events (never raises)."""
    try:
        # The proxies' objects, once: every access through a proxy costs a lookup.
        recorder = current_app.extensions[EXTENSION]
        req, sess = request._get_current_object(), session._get_current_object()
        if (req.blueprint != STOREFRONT or not recorder.enabled
                or not consent.recording_on(recorder.consent)
                or not visits.may_record(req)):
            return response
        found = _kinds(req, sess, response)
        if not found and not _is_page(req, response):
            return response
        visit, started = visits.current_visit(req, sess)
        if started:
            found.insert(0, ("visit", {}))
        now = datetime.now(UTC)
        base = _base(req, visit, now, recorder.salt)
        for kind, ids in found:
            recorder.add({**base, "kind": kind, **ids})
    except Exception:  # noqa: BLE001 - analytics never fails a page
        current_app.logger.exception("analytics: could not record a request")
    return response


def _base(request, visit: dict, now: datetime, salt: str) -> dict:
    user = current_user._get_current_object()
    user_id = user.id if user is not None and user.is_authenticated else None
    source, medium, campaign = (visit.get("utm") or ["", "", ""])[:3]
    return {"created_at": now, "day": now.date(), "session_key": visit["key"],
            "user_id": user_id, "product_slug": None, "variant_id": None, "order_id": None,
            "landing_path": visit.get("landing", ""), "referrer_host": visit.get("host"),
            "utm_source": source, "utm_medium": medium, "utm_campaign": campaign,
            "visitor_hash": visits.visitor_hash(request.remote_addr, salt, now)}
