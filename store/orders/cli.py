"""`flask orders ...`: order maintenance from the command line (cron, loops)."""

import time

import click
from flask.cli import AppGroup

from store.checkout.services import expire_unpaid
from store.checkout.unpaid import remind_unpaid

orders_cli = AppGroup("orders", help="Order maintenance.")


@orders_cli.command("expire-unpaid")
@click.option("--every", type=int, default=0,
              help="Keep running, checking every N seconds (0: run once).")
def expire_unpaid_command(every: int) -> None:
    """Remind customers of unpaid manual orders about to expire; cancel orders left unpaid
    past their time, returning their stock."""
    while True:
        reminded = remind_unpaid()
        click.echo(f"{reminded} payment reminder(s) queued.")
        count = expire_unpaid()
        click.echo(f"{count} unpaid order(s) expired.")
        if every <= 0:
            break
        time.sleep(every)
