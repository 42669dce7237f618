"""`flask outbox ...`: deliver the email outbox from the command line or as a worker.

Several workers may run at once (on PostgreSQL on several machines): each claims rows
before sending them, so no message goes out twice.
"""

from __future__ import annotations

import signal
import threading

import click
from flask.cli import AppGroup

from store.extensions import db
from store.notifications import delivery as notifications

outbox_cli = AppGroup("outbox", help="Deliver and inspect the email outbox.")


def _summary(sent: int, failed: int) -> str:
    counts = notifications.outbox_counts()
    db.session.rollback()
    return (f"sent {sent}, not delivered {failed}; outbox now: {counts['pending']} pending, "
            f"{counts['sending']} sending, {counts['failed']} failed, {counts['sent']} sent")


@outbox_cli.command("flush")
@click.option("--limit", type=click.IntRange(min=1), default=1000, show_default=True,
              help="Send at most this many messages.")
@click.option("--retry-now", is_flag=True,
              help="Also send messages waiting to be retried (e.g. the mail server is back).")
def flush_command(limit: int, retry_now: bool) -> None:
    """Send every message that is due now and print the counts."""
    if retry_now:
        waiting = notifications.retry_now()
        click.echo(f"{waiting} waiting message(s) made due now.")
    sent, failed = notifications.flush_outbox(limit)
    click.echo(_summary(sent, failed))


@outbox_cli.command("worker")
@click.option("--interval", type=click.FloatRange(min=0.1), default=5.0, show_default=True,
              help="Seconds to wait when nothing is due.")
@click.option("--once", is_flag=True, help="Deliver what is due, then stop.")
@click.option("--batch", type=click.IntRange(min=1), default=100, show_default=True,
              help="Messages per round before checking again.")
def worker_command(interval: float, once: bool, batch: int) -> None:
    """Keep delivering due messages until stopped (Ctrl+C or SIGTERM finish the round)."""
    stop = threading.Event()

    def _stop(_signum, _frame):
        stop.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
    click.echo(f"Outbox worker: checking every {interval:g}s (Ctrl+C stops).")
    total_sent = total_failed = 0
    while not stop.is_set():
        try:
            sent, failed = notifications.flush_outbox(batch)
        except Exception as exc:  # the database restarting, say: try again next round
            db.session.rollback()
            click.echo(f"Outbox worker: {type(exc).__name__}: {exc}", err=True)
            sent = failed = 0
        finally:
            db.session.remove()
        total_sent += sent
        total_failed += failed
        if sent or failed:
            click.echo(f"Outbox worker: sent {sent}, not delivered {failed}")
        if once:
            break
        # A full round may have left more due messages: go again at once.
        if sent + failed < batch:
            stop.wait(interval)
    click.echo(_summary(total_sent, total_failed))
