"""Checkout throughput: `python -m bench.checkout [BASE]`, this tree beside another commit.

Each round seeds a fresh SQLite shop (migrations, 50 products with ample stock) and has
BENCH_BUYERS buyers, each with their own client, fill a cart, open the checkout page and
place the order through the real forms (CSRF scraped like a browser). Only the checkout
POSTs are timed. The rounds alternate between this tree and BASE (a git commit, checked out
into a temporary worktree; default BENCH_CHECKOUT_BASE), so machine drift hits both alike,
and the table gives orders per second for each and their ratio.
"""

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUYERS = int(os.environ.get("BENCH_BUYERS", "150"))
ROUNDS = int(os.environ.get("BENCH_CHECKOUT_ROUNDS", "3"))
BASE = os.environ.get("BENCH_CHECKOUT_BASE", "b5b1e48")  # the shop before issue 11's pricing
TOKEN = re.compile(r'name="(csrf_token|checkout_token)"(?: type="hidden")? value="([^"]+)"')
ADDRESS = {"full_name": "Ana García", "address_line1": "Calle Mayor 1", "address_line2": "",
           "city": "Madrid", "postal_code": "28013", "country": "ES",
           "phone": "+34 600 000 000", "shipping_method": "standard",
           "payment_method": "manual"}


def measure() -> float:
    """Orders per second of BUYERS checkouts on a fresh shop (run inside the tree measured)."""
    sys.path.insert(0, os.getcwd())
    from flask_migrate import upgrade

    from store import create_app
    from store.dev import seed
    from store.extensions import db
    from store.models import Variant

    tmp = Path(tempfile.mkdtemp(prefix="store-bench-checkout-"))
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.db'}",
        "UPLOAD_FOLDER": str(tmp / "uploads"), "RATELIMIT_ENABLED": False,
        "STORE_DELIVER_AFTER_REQUEST": False, "STORE_UNPAID_ORDERS_PER_ADDRESS": 10 ** 6,
    })
    with app.app_context():
        upgrade()
        seed.seed_synthetic(50)
        variant_ids = [v.id for v in db.session.scalars(db.select(Variant).limit(50))]
        db.session.execute(db.update(Variant).values(stock=10 ** 6))
        db.session.commit()
        db.session.remove()
    forms = []
    for n in range(BUYERS):
        client = app.test_client()
        html = client.get("/cart").get_data(as_text=True)
        csrf = dict(TOKEN.findall(html))["csrf_token"]
        client.post("/cart/items", data={"csrf_token": csrf, "quantity": 1,
                                         "variant_id": variant_ids[n % len(variant_ids)]})
        hidden = dict(TOKEN.findall(client.get("/checkout").get_data(as_text=True)))
        forms.append((client, {**hidden, **ADDRESS, "email": f"buyer{n}@example.com"}))
    start = time.perf_counter()
    for client, form in forms:
        response = client.post("/checkout", data=form)
        assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return BUYERS / (time.perf_counter() - start)


def _run(tree: Path) -> float:
    out = subprocess.run([sys.executable, "-m", "bench.checkout", "--measure"], cwd=tree,
                         capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(tree)})
    return json.loads(out.stdout.strip().splitlines()[-1])["orders_per_second"]


def main(base: str) -> None:
    with tempfile.TemporaryDirectory(prefix="store-bench-base-") as tmp:
        tree = Path(tmp) / "base"
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(tree), base],
                       cwd=ROOT, check=True)
        # The base tree measures with this tree's bench module (it may have none of its own).
        (tree / "bench").mkdir(exist_ok=True)
        (tree / "bench" / "checkout.py").write_text(Path(__file__).read_text())
        (tree / "bench" / "__init__.py").touch()
        try:
            here, there = [], []
            for _ in range(ROUNDS):
                here.append(_run(ROOT))
                there.append(_run(tree))
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT)
    now, before = statistics.median(here), statistics.median(there)
    print(f"\ncheckout, {BUYERS} buyers x {ROUNDS} rounds   orders/s (median)")
    print(f"  this tree                      {now:8.1f}   {[round(x, 1) for x in here]}")
    print(f"  base {base:<25} {before:8.1f}   {[round(x, 1) for x in there]}")
    print(f"  ratio                          {now / before:8.2f}")


if __name__ == "__main__":
    if "--measure" in sys.argv:
        print(json.dumps({"orders_per_second": measure()}))
    else:
        main(sys.argv[1] if len(sys.argv) > 1 else BASE)
