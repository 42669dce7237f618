"""The analytics report: funnel, sources, campaigns and products, from real shopping."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from store.analytics.reports import Period, build_report, parse_period, report_csv
from store.errors import ValidationFailed


def today_report():
    today = datetime.now(UTC).date()
    return build_report(Period(today, today))


def test_the_funnel_counts_sessions_at_each_step(shopping):
    """Three sessions viewed, two added to the cart, one checked out and bought."""
    funnel = {step.kind: step for step in today_report().funnel}

    assert [funnel[k].sessions for k in ("view", "cart_add", "checkout", "purchase")] == [
        3, 2, 1, 1]
    assert funnel["cart_add"].from_previous == Decimal("66.7")
    assert funnel["checkout"].from_previous == Decimal("50.0")
    assert funnel["purchase"].from_previous == Decimal("100.0")
    assert funnel["purchase"].from_first == Decimal("33.3")


def test_referrers_campaigns_and_revenue_by_source(shopping):
    """The search engine brought the sale's revenue; direct and the campaign brought none."""
    report = today_report()
    sources = {row.value: row for row in report.sources}
    campaigns = {row.value: row for row in report.campaigns}
    total = shopping["order"].total

    assert set(sources) == {"www.search.example", "direct"}
    assert (sources["www.search.example"].sessions["visit"],
            sources["www.search.example"].events["purchase"],
            sources["www.search.example"].revenue) == (1, 1, total)
    assert (sources["direct"].sessions["visit"], sources["direct"].revenue) == (2, Decimal("0"))
    assert sources["direct"].events["view"] == 4  # the browser's two, the looker's two
    assert list(campaigns) == ["insta / social / may"]
    assert campaigns["insta / social / may"].events["view"] == 2
    assert report.revenue == total


def test_products_viewed_often_but_rarely_bought_come_first(shopping):
    """The poster, viewed three times and never bought, leads; the mug sold once in two views."""
    products = today_report().products

    assert [(p.label, p.events["view"], p.events["cart_add"], p.events["purchase"])
            for p in products] == [("Poster", 3, 1, 0), ("Mug", 2, 1, 1)]
    assert products[1].rate("purchase", "view") == Decimal("50.0")


def test_the_daily_series_and_the_csv_agree(shopping):
    """The day's bar counts the five product views; the CSV carries the same figures."""
    report = today_report()
    text = report_csv(report)

    assert report.daily[-1][1:] == (5, 1)
    assert "funnel,Product views,sessions,3" in text
    assert "funnel,Cart adds,percent_of_previous_step,66.7" in text
    assert f"source,www.search.example,revenue,{shopping['order'].total}" in text
    assert "product,Poster,product_views,3" in text


def test_an_empty_period_has_no_rates():
    """A period with no visitors shows zeros and no made-up rates."""
    report = build_report(parse_period("2020-01-01", "2020-01-31"))

    assert [step.sessions for step in report.funnel] == [0, 0, 0, 0]
    assert all(step.from_previous is None for step in report.funnel)
    assert len(report.daily) == 31


@pytest.mark.parametrize("start,end", [("2026-02-30", None), ("2026-03-02", "2026-03-01"),
                                       ("2020-01-01", "2026-01-01")])
def test_a_period_that_cannot_be_is_refused(start, end):
    """Dates that do not exist, a period backwards or longer than a year are refused."""
    with pytest.raises(ValidationFailed):
        parse_period(start, end)
