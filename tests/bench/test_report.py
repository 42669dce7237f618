"""The bench's table: targets judged from the figures (bench/report.py)."""

from bench.pages import Row
from bench.report import page_rows, render, table_row


def test_a_page_meets_its_target_only_with_the_ratio_and_the_p99():
    """A page is met at 0.7x the baseline with p99 under 50 ms, and not otherwise."""
    assert table_row("catalog", 800.0, 1000.0, 10.0, 45.0, "page")["met"] is True
    assert table_row("catalog", 600.0, 1000.0, 10.0, 45.0, "page")["met"] is False
    assert table_row("catalog", 800.0, 1000.0, 10.0, 60.0, "page")["met"] is False


def test_errors_fail_a_row_whatever_its_speed():
    """Fast but with errors is not met."""
    assert table_row("home", 900.0, 1000.0, 5.0, 9.0, "page", errors=3)["met"] is False


def test_the_analytics_row_compares_the_shop_with_and_without_it():
    """The analytics row's ratio is the product page with analytics over without."""
    run = {"rps": 0, "p50_ms": 5.0, "p99_ms": 20.0, "non_2xx_3xx": 0, "socket_errors": 0,
           "requests": 1}
    row = Row("product, analytics off", {"shop-analytics-off": "/p", "shop": "/p"}, "analytics",
              runs={"shop-analytics-off": [{**run, "rps": 500.0}],
                    "shop": [{**run, "rps": 460.0}]})
    [made] = page_rows([row])
    assert made["ratio"] == 0.92 and made["met"] is False
    assert "product, analytics off" in render([made])
