"""`flask analytics ...`: the daily rollup (safe to run from cron, any number of times)."""

import click
from flask import current_app
from flask.cli import AppGroup

from store.analytics.recording import EXTENSION
from store.analytics.rollup import rollup

analytics_cli = AppGroup("analytics", help="Shop analytics.")


@analytics_cli.command("rollup")
@click.option("--retention-days", type=int, default=None,
              help="Keep raw events this many days (default STORE_ANALYTICS_RETENTION_DAYS).")
def rollup_command(retention_days: int | None) -> None:
    """Roll raw events of past days into daily figures, then prune raw events older than
    the retention; running it twice gives the same figures."""
    current_app.extensions[EXTENSION].flush()
    days = retention_days or current_app.config["STORE_ANALYTICS_RETENTION_DAYS"]
    result = rollup(days)
    click.echo(f"{result.days} day(s) rolled up into {result.rows} row(s); "
               f"{result.pruned} raw event(s) older than {days} days pruned.")
