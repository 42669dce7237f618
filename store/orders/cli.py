"""`flask orders ...`: order maintenance from the command line (cron, loops)."""

import time

import click
from flask.cli import AppGroup

from store.checkout.services import expire_unpaid

orders_cli = AppGroup("orders", help="Order maintenance.")


@orders_cli.command("expire-unpaid")
@click.option("--every", type=int, default=0,
              help="Keep running, checking every N seconds (0: run once).")
def expire_unpaid_command(every: int) -> None:
    """Cancel online-payment orders left unpaid past their time, returning their stock."""
    while True:
        count = expire_unpaid()
        click.echo(f"{count} unpaid order(s) expired.")
        if every <= 0:
            break
        time.sleep(every)
