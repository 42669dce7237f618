"""`flask analytics rollup`: daily rows instead of old raw events, the same figures, any
number of runs."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from store.analytics.reports import Period, build_report
from store.extensions import db
from store.models.analytics import AnalyticsDaily, AnalyticsEvent


def _age_events(days: int) -> None:
    rows = db.session.scalars(select(AnalyticsEvent)).all()
    for event in rows:
        event.day -= timedelta(days=days)
        event.created_at -= timedelta(days=days)
    db.session.commit()


def _figures(report):
    return ([s.sessions for s in report.funnel],
            {r.value: (r.sessions["visit"], r.events["view"], r.revenue)
             for r in report.sources},
            {r.value: r.events["view"] for r in report.campaigns},
            [(p.label, p.events["view"], p.events["purchase"]) for p in report.products],
            report.revenue, report.daily)


def _raw_count() -> int:
    return db.session.scalar(select(func.count(AnalyticsEvent.id)))


def test_rollup_keeps_the_figures_and_runs_twice_the_same(runner, shopping):
    """Yesterday's events rolled up give the report they gave raw, run once or twice."""
    _age_events(1)
    today = datetime.now(UTC).date()
    period = Period(today - timedelta(days=6), today)
    before = _figures(build_report(period))

    first = runner.invoke(args=["analytics", "rollup"])
    db.session.rollback()
    rows = db.session.scalar(select(func.count(AnalyticsDaily.id)))
    after_first = _figures(build_report(period))
    second = runner.invoke(args=["analytics", "rollup"])
    db.session.rollback()

    assert first.exit_code == 0, first.output
    assert "1 day(s) rolled up" in first.output
    assert before[0] == [3, 2, 1, 1]
    assert after_first == before
    assert _figures(build_report(period)) == before
    assert db.session.scalar(select(func.count(AnalyticsDaily.id))) == rows
    assert second.exit_code == 0 and _raw_count() > 0  # within the retention: kept


def test_rollup_prunes_raw_events_past_the_retention(runner, shopping):
    """Events older than the retention are deleted; their days' figures stay in the report."""
    _age_events(10)
    today = datetime.now(UTC).date()
    period = Period(today - timedelta(days=30), today)
    before = _figures(build_report(period))

    result = runner.invoke(args=["analytics", "rollup", "--retention-days", "7"])
    db.session.rollback()

    assert result.exit_code == 0, result.output
    assert _raw_count() == 0
    assert _figures(build_report(period)) == before
    again = runner.invoke(args=["analytics", "rollup", "--retention-days", "7"])
    db.session.rollback()
    assert "0 day(s) rolled up" in again.output
    assert _figures(build_report(period)) == before


def test_todays_events_wait_for_the_day_to_end(runner, shopping):
    """Today is not complete: the rollup leaves it raw, and the report still counts it."""
    result = runner.invoke(args=["analytics", "rollup"])
    db.session.rollback()

    assert "0 day(s) rolled up" in result.output
    assert db.session.scalar(select(func.count(AnalyticsDaily.id))) == 0
    today = datetime.now(UTC).date()
    assert [s.sessions for s in build_report(Period(today, today)).funnel] == [3, 2, 1, 1]
