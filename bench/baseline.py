"""The bare Flask baseline: `gunicorn -c gunicorn.conf.py bench.baseline:app`.

What the shop is measured against (issue 14): the same gunicorn settings, the same SQLite file
(BENCH_BASELINE_DB), and per page one SQL query and one Jinja template, nothing else: no
sessions, no CSRF, no i18n, no ORM. Its checkout is a single atomic
`UPDATE variant SET stock = stock - 1 WHERE id = ? AND stock >= 1`.
"""

from __future__ import annotations

import os
import sqlite3

from flask import Flask, jsonify, request

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
</head><body><h1>{{ title }}</h1><ul>
{% for p in products %}<li><a href="/products/{{ p.slug }}">{{ p.name }}</a>
<span>{{ "%.2f"|format(p.price) }} EUR</span>{% if p.sku %} <small>{{ p.sku }}: {{ p.stock }}
in stock</small>{% endif %}</li>
{% endfor %}</ul></body></html>"""
LIST = "SELECT id, slug, name, price FROM product WHERE active = 1 ORDER BY id LIMIT 20 OFFSET ?"
SEARCH = ("SELECT p.id, p.slug, p.name, p.price FROM product_search s JOIN product p "
          "ON p.id = s.rowid WHERE product_search MATCH ? AND p.active = 1 ORDER BY s.rank "
          "LIMIT 20")
PRODUCT = ("SELECT p.id, p.slug, p.name, p.price, v.sku, v.stock FROM product p "
           "JOIN variant v ON v.product_id = p.id WHERE p.slug = ? ORDER BY v.position")
BUY = "UPDATE variant SET stock = stock - 1 WHERE id = ? AND stock >= 1"

app = Flask(__name__)
template = app.jinja_env.from_string(PAGE)


def connection() -> sqlite3.Connection:
    conn = getattr(app, "_bench_conn", None)
    if conn is None:  # one connection per worker process (sync workers: one request at a time)
        conn = sqlite3.connect(os.environ["BENCH_BASELINE_DB"], isolation_level=None,
                               check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA busy_timeout=30000")
        app._bench_conn = conn
    return conn


def _products() -> list[sqlite3.Row]:
    query = request.args.get("q", "").strip()
    if query:
        words = " ".join('"' + w.replace('"', "") + '"' for w in query.split())
        return connection().execute(SEARCH, (words,)).fetchall()
    page = max(1, request.args.get("page", 1, type=int))
    return connection().execute(LIST, ((page - 1) * 20,)).fetchall()


@app.get("/")
@app.get("/products/")
def listing():
    return template.render(title="Products", products=_products())


@app.get("/products/<slug>")
def product(slug):
    rows = connection().execute(PRODUCT, (slug,)).fetchall()
    if not rows:
        return "Not found", 404
    return template.render(title=rows[0]["name"], products=rows)


@app.get("/api/products")
def api_products():
    return jsonify(products=[{"id": r["id"], "slug": r["slug"], "name": r["name"],
                              "price": str(r["price"])} for r in _products()])


@app.post("/checkout")
def checkout():
    variant_id = request.form.get("variant_id", type=int)
    done = connection().execute(BUY, (variant_id,)).rowcount
    return ("", 303, {"Location": "/done"}) if done else ("Out of stock", 409)
