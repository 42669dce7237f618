"""The dashboard's figures, checked against orders made in the test."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest

from store.extensions import db
from store.models.base import utcnow
from store.reports import services as reports
from tests.factories import bulk_orders, make_order, make_product


def build_shop():
    """Orders over the last weeks in every status, and products with various stock."""
    now = utcnow()
    mug = make_product(name="Harbour Mug", price="15.00", stock=100).variants[0]
    book = make_product(name="Salt and Juniper", price="20.00", stock=100).variants[0]
    scarf = make_product(name="Check Scarf", price="30.00", stock=2).variants[0]  # low
    make_product(name="Sold Out Tee", price="12.00", stock=0)  # out of stock: low too
    make_product(name="Plenty Socks", price="5.00", stock=50)  # fine

    def order(status, days_ago, items, **kw):
        when = now - timedelta(days=days_ago)
        return make_order(status=status, items=items, created_at=when, **kw)

    orders = [
        order("paid", 0, [(mug, 2)]),                 # 30.00 + 4.90 = 34.90 today
        order("delivered", 0, [(book, 1)]),           # 20.00 + 4.90 = 24.90 today
        order("shipped", 3, [(mug, 1), (book, 1)]),   # 35.00 + 4.90 = 39.90
        order("paid", 6, [(scarf, 1)]),               # 30.00 + 4.90 = 34.90
        order("delivered", 10, [(book, 3)]),          # 60.00 + 4.90 = 64.90
        order("paid", 29, [(mug, 1)]),                # 15.00 + 4.90 = 19.90
        order("delivered", 45, [(book, 5)]),          # outside 30 days
        order("refunded", 0, [(book, 4)]),            # refunded: not revenue
        order("cancelled", 1, [(mug, 6)]),            # cancelled: not revenue
        order("pending", 0, [(mug, 7)]),              # not paid yet
    ]
    # Placed a week ago but paid today: revenue on the day the money came in.
    orders.append(make_order(status="paid", items=[(book, 1)],
                             created_at=now - timedelta(days=8), paid_at=now))  # 24.90
    return orders


def test_revenue_counts_paid_shipped_delivered_by_day_paid(app):
    """Revenue today, over 7 and over 30 days adds up paid, shipped and delivered orders
    only, on the day they were paid."""
    build_shop()
    figures = reports.dashboard()
    assert figures.revenue_today == Decimal("84.70")  # 34.90 + 24.90 + 24.90
    assert figures.orders_today == 3
    assert figures.revenue_7_days == Decimal("159.50")  # + 39.90 + 34.90
    assert figures.orders_7_days == 5
    assert figures.revenue_30_days == Decimal("244.30")  # + 64.90 + 19.90
    assert figures.orders_30_days == 7


def test_orders_by_status_and_awaiting_shipment(app):
    """Orders are counted per status, and paid orders are listed as awaiting shipment."""
    build_shop()
    figures = reports.dashboard()
    assert figures.by_status == {"pending": 1, "paid": 4, "shipped": 1, "delivered": 3,
                                 "cancelled": 1, "refunded": 1}
    assert figures.awaiting_count == 4
    assert len(figures.awaiting) == 4
    assert all(o.status == "paid" for o in figures.awaiting)
    paid_times = [o.paid_at for o in figures.awaiting]
    assert paid_times == sorted(paid_times)  # the longest-waiting first


def test_low_stock_and_top_products(app):
    """Low stock lists variants at or under their threshold; top products rank units sold
    over 30 days in revenue orders."""
    build_shop()
    figures = reports.dashboard()
    assert [str(v) for v in figures.low_stock] == ["Sold Out Tee", "Check Scarf"]
    assert figures.low_stock_count == 2
    top = [(p.name, p.quantity, p.revenue) for p in figures.top_products]
    assert top == [
        ("Salt and Juniper", 6, Decimal("120.00")),  # 1 + 1 + 3 + 1 (paid today, placed earlier)
        ("Harbour Mug", 4, Decimal("60.00")),        # 2 + 1 + 1
        ("Check Scarf", 1, Decimal("30.00")),
    ]


def test_daily_series_matches_revenue(app):
    """The chart's 30 days add up to the 30-day revenue, today last."""
    build_shop()
    figures = reports.dashboard()
    assert len(figures.daily) == 30
    assert figures.daily[-1] == (utcnow().date(), Decimal("84.70"))
    assert sum(v for _, v in figures.daily) == figures.revenue_30_days


def test_dashboard_page_shows_the_figures_and_an_svg_chart(client, auth):
    """Staff see the figures on the dashboard, with a chart drawn as inline SVG and no
    external script."""
    build_shop()
    auth.login("staff")
    html = client.get("/admin/").get_data(as_text=True)
    assert 'data-figure="revenue-today" data-value="84.70"' in html
    assert 'data-figure="revenue-7d" data-value="159.50"' in html
    assert 'data-figure="revenue-30d" data-value="244.30"' in html
    assert 'data-figure="awaiting" data-value="4"' in html
    assert 'data-figure="low-stock" data-value="2"' in html
    assert re.search(r'data-status="paid">4<', html)
    assert "Salt and Juniper" in html and "Sold Out Tee" in html
    svg = html[html.index("<svg"):html.index("</svg>")]
    assert svg.count('<rect class="bar"') == 30
    today = utcnow().date().isoformat()
    assert f'data-day="{today}" data-value="84.70"' in svg
    heights = [float(h) for h in re.findall(r'class="bar"[^>]*height="([\d.]+)"', svg)]
    assert max(heights) > 0
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', html)
    assert all(src.startswith("/") for src in scripts)  # nothing from another site


def test_dashboard_without_reports_read_shows_operations_only(app, client, auth):
    """A packer without reports-read sees what to ship and what runs low, but no revenue,
    no totals and no customer emails."""
    from store.accounts.services import create_user
    from tests.conftest import PASSWORD

    orders = build_shop()
    app.extensions["security"].datastore.create_role(
        name="packer", permissions=["admin-access", "orders-read", "inventory-manage"])
    create_user("packer@example.com", PASSWORD, ["packer"])
    auth.login("customer", "packer@example.com")
    response = client.get("/admin/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-figure="awaiting" data-value="4"' in html
    assert 'data-figure="low-stock" data-value="2"' in html
    assert re.search(r'data-status="paid">4<', html)
    assert "Salt and Juniper" in html  # best sellers by units
    assert "data-figure=\"revenue" not in html and "<svg" not in html
    for order in orders:
        assert order.email not in html
    assert "84.70" not in html and "34.90" not in html and "Revenue" not in html


def test_empty_shop_dashboard(client, auth):
    """A shop with no orders shows zeros and a flat chart, not an error."""
    auth.login("owner")
    response = client.get("/admin/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-figure="revenue-today" data-value="0.00"' in html
    assert "No sales in the last 30 days" in html


@pytest.mark.postgres
def test_figures_are_the_same_on_postgresql(pg_app):
    """On PostgreSQL the dashboard's aggregate queries give the same figures."""
    build_shop()
    figures = reports.dashboard()
    assert figures.revenue_today == Decimal("84.70")
    assert figures.revenue_7_days == Decimal("159.50")
    assert figures.revenue_30_days == Decimal("244.30")
    assert figures.daily[-1][1] == Decimal("84.70")
    assert sum(v for _, v in figures.daily) == Decimal("244.30")
    assert figures.by_status["paid"] == 4
    assert [p.name for p in figures.top_products][:2] == ["Salt and Juniper", "Harbour Mug"]


def test_dashboard_statements_do_not_grow_with_orders(client, auth, count_queries):
    """The dashboard runs as many SQL statements for 300 orders as for 3."""
    # given a shop with a few orders and low stock
    build_shop()
    auth.login("owner")
    client.get("/admin/")
    db.session.remove()  # each measured request starts from an empty session
    with count_queries() as small:
        assert client.get("/admin/").status_code == 200
    # when a hundred times more orders come in
    bulk_orders(300)
    db.session.remove()
    with count_queries() as large:
        html = client.get("/admin/").get_data(as_text=True)
    # then the dashboard counts them with the same statements
    assert re.search(r'data-status="paid">304<', html)
    assert len(large) == len(small), (small, large)
