"""`flask keys ...`: the keys that encrypt personal data at rest."""

import click
from flask.cli import AppGroup

from store.accounts.keys import rotate_keys
from store.models.keys import DataKeyError, current_ring, new_key_entry

keys_cli = AppGroup("keys", help="Keys that encrypt personal data at rest.")


@keys_cli.command("new")
@click.argument("key_id")
def new_key_command(key_id: str) -> None:
    """Print a new random data key as an `id:base64key` entry for STORE_DATA_KEYS."""
    if not key_id.isalnum():
        raise click.BadParameter("use letters and digits only", param_hint="KEY_ID")
    click.echo(new_key_entry(key_id))


@keys_cli.command("rotate")
@click.option("--batch-size", type=click.IntRange(min=1), default=500, show_default=True,
              help="Rows re-encrypted per transaction.")
def rotate_command(batch_size: int) -> None:
    """Re-encrypt every encrypted value under the first key of STORE_DATA_KEYS."""
    try:
        ring = current_ring()
        report = rotate_keys(batch_size)
    except DataKeyError as exc:
        raise click.ClickException(str(exc)) from exc
    for table, count in sorted(report.rotated.items()):
        click.echo(f"{table}: {count} row(s) re-encrypted")
    click.echo(f"{report.total} row(s) re-encrypted under key {ring.current!r}; "
               f"{report.current} already current.")
