"""A local stand-in for Stripe's API, and webhooks signed exactly as Stripe signs them.

Stripe's remote API is the only part of the shop tests replace: FakeStripe answers Checkout
Sessions and Refunds over real HTTP and records each request's form fields.
"""

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from store.extensions import db
from store.models import Order
from tests.factories import make_product
from tests.shopping import add_to_cart, checkout

WEBHOOK_SECRET = "whsec_test_0123456789"
SECRET_KEY = "sk_test_0123456789"


class FakeStripe:
    """A local HTTP server answering like Stripe's API, recording what it was sent.

    `fail` makes every call a server error; `fail_refunds` makes refunds refused (400);
    `refund_status` is the status a new refund gets ("succeeded" or "pending").
    """

    def __init__(self):
        self.requests = []
        self.fail = False
        self.fail_refunds = False
        self.refund_status = "succeeded"
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                form = parse_qs(body.decode())
                with fake.lock:
                    fake.requests.append({"path": self.path, "headers": dict(self.headers),
                                          "form": form})
                    number = len(fake.requests)
                payload, status = fake.answer(self.path, form, number)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,),
                                       daemon=True)
        self.thread.start()

    def answer(self, path: str, form: dict, number: int) -> tuple[dict, int]:
        if self.fail:
            return {"error": {"type": "api_error", "message": "Stripe is down"}}, 500
        if path == "/v1/refunds":
            if self.fail_refunds:
                return {"error": {"type": "invalid_request_error", "code": "charge_disputed",
                                  "message": "Charge has been disputed"}}, 400
            field = {key: values[0] for key, values in form.items()}
            return {"id": f"re_test_{number}", "object": "refund",
                    "status": self.refund_status, "amount": int(field.get("amount", 0)),
                    "currency": "eur", "payment_intent": field.get("payment_intent"),
                    "metadata": {"order_number": field.get("metadata[order_number]"),
                                 "refund_id": field.get("metadata[refund_id]")}}, 200
        return {"id": f"cs_test_{number}", "object": "checkout.session",
                "url": f"https://checkout.stripe.com/c/pay/cs_test_{number}",
                "payment_status": "unpaid", "status": "open"}, 200

    def sent_to(self, path: str) -> list[dict]:
        """The form fields (first value of each) of every request to `path`."""
        return [{key: values[0] for key, values in r["form"].items()}
                for r in self.requests if r["path"] == path]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(name="fake_stripe")
def fake_stripe_fixture():
    """The stand-in, running for one test (import this name to use `fake_stripe`)."""
    server = FakeStripe()
    yield server
    server.stop()


@pytest.fixture(name="app_config")
def stripe_app_config(fake_stripe):
    """An app with Stripe on, talking to the stand-in (import this name to use it)."""
    return {"STORE_DELIVER_AFTER_REQUEST": False, "STRIPE_SECRET_KEY": SECRET_KEY,
            "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET, "STRIPE_API_BASE": fake_stripe.url}


def sign(payload: str, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """A Stripe-Signature header exactly as Stripe computes it."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(),
                      hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def event(kind: str, obj: dict, event_id: str = "evt_1") -> str:
    """A webhook event body as Stripe sends it."""
    return json.dumps({
        "id": event_id, "object": "event", "type": kind, "api_version": "2024-06-20",
        "created": int(time.time()), "livemode": False, "data": {"object": obj},
    })


def session_event(order: Order, event_id: str = "evt_1",
                  kind: str = "checkout.session.completed", amount: int | None = None,
                  payment_status: str = "paid", payment_intent: str = "pi_test_1") -> str:
    return event(kind, {
        "id": order.payment_reference or "cs_test_1", "object": "checkout.session",
        "client_reference_id": order.number, "metadata": {"order_number": order.number},
        "payment_status": payment_status, "status": "complete", "currency": "eur",
        "amount_total": int(order.total * 100) if amount is None else amount,
        "payment_intent": payment_intent,
    }, event_id)


def charge_refunded_event(order: Order, refunds: list[dict], event_id: str = "evt_r1",
                          payment_intent: str = "pi_test_1") -> str:
    """`charge.refunded`: the Charge with its refunds (each: id, amount, status, metadata)."""
    return event("charge.refunded", {
        "id": "ch_test_1", "object": "charge", "payment_intent": payment_intent,
        "amount": int(order.total * 100), "currency": "eur", "refunded": False,
        "amount_refunded": sum(r["amount"] for r in refunds),
        "refunds": {"object": "list", "data": [
            {"object": "refund", "currency": "eur", "payment_intent": payment_intent,
             "metadata": {}, **r} for r in refunds]},
    }, event_id)


def dispute_event(kind: str, status: str, amount: int, event_id: str = "evt_d1",
                  payment_intent: str = "pi_test_1") -> str:
    return event(kind, {"id": "dp_test_1", "object": "dispute", "amount": amount,
                        "currency": "eur", "charge": "ch_test_1",
                        "payment_intent": payment_intent, "reason": "fraudulent",
                        "status": status}, event_id)


def post_webhook(client, payload: str, signature: str | None = None):
    headers = {"Stripe-Signature": signature if signature is not None else sign(payload),
               "Content-Type": "application/json"}
    return client.post("/payments/stripe/webhook", data=payload, headers=headers)


def stripe_order(client, **fields):
    """Check out with card payment; returns the order and the checkout response."""
    product = make_product(name="Harbour Tee", price="25.00", variants=[
        {"sku": "HT-NAVY-M", "options": {"size": "M", "colour": "Navy"}, "stock": 5}])
    add_to_cart(client, product.variants[0].id, 2)
    response = checkout(client, payment_method="stripe", **fields)
    order = db.session.scalar(db.select(Order).order_by(Order.id.desc()))
    return order, response
