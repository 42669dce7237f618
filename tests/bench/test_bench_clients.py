"""The bench's form scraping and its baseline app's atomic checkout."""

import sqlite3

from bench import baseline
from bench.browser import form_with, forms

CHECKOUT = """<form method="post" action="/cart/items"><input name="csrf_token" type="hidden"
value="c1"><input name="variant_id" value="7"></form>
<form method="post" action="/checkout">
<input name="csrf_token" type="hidden" value="c2"><input type="hidden" name="checkout_token"
value="t9"><input name="email" type="email">
<input type="radio" name="shipping_method" value="standard" checked>
<input type="radio" name="shipping_method" value="express">
<input type="checkbox" name="save_address" value="y">
<select name="country"><option value="DE">Germany</option><option value="ES" selected>Spain
</option></select><select name="payment_method"><option value="manual">Bank</option></select>
<button type="submit" name="go">Place order</button></form>"""


def test_the_checkout_form_is_scraped_as_a_browser_submits_it():
    """Hidden tokens, the checked radio and the chosen options are sent; an unticked box is not."""
    form = form_with(CHECKOUT, "checkout_token")
    assert form.action == "/checkout" and form.method == "post"
    assert form.fields == {"csrf_token": "c2", "checkout_token": "t9", "email": "",
                           "shipping_method": "standard", "country": "ES",
                           "payment_method": "manual"}
    assert [f.action for f in forms(CHECKOUT)] == ["/cart/items", "/checkout"]


def test_the_baseline_checkout_never_sells_more_than_it_has(tmp_path, monkeypatch):
    """Two buyers of the last item: the baseline's single UPDATE sells it once."""
    path = tmp_path / "base.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE variant (id INTEGER PRIMARY KEY, stock INTEGER)")
        conn.execute("INSERT INTO variant VALUES (1, 1)")
    monkeypatch.setenv("BENCH_BASELINE_DB", str(path))
    monkeypatch.setattr(baseline.app, "_bench_conn", None, raising=False)
    client = baseline.app.test_client()
    answers = [client.post("/checkout", data={"variant_id": 1}).status_code for _ in range(2)]
    assert answers == [303, 409]
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT stock FROM variant").fetchone()[0] == 0
