"""Flask commands: seed, users, backup (more are added by their domains)."""

import shutil
import sqlite3
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from tqdm import tqdm

from store.accounts import services as accounts
from store.accounts.keys_cli import keys_cli
from store.analytics.cli import analytics_cli
from store.catalog.cli import images_cli, products_cli
from store.dev import demo, seed
from store.dev.seed_orders import seed_orders
from store.errors import StoreError
from store.extensions import db
from store.notifications.cli import outbox_cli
from store.orders.cli import orders_cli

users_cli = AppGroup("users", help="Manage users.")


@click.command("seed")
@click.option("--products", "n_products", type=int, default=0,
              help="Also add this many synthetic products (for benchmarks).")
@click.option("--orders", "n_orders", type=int, default=0,
              help="Also add this many synthetic orders (for benchmarks).")
def seed_command(n_products: int, n_orders: int) -> None:
    """Create roles, demo accounts and the demo catalog (only when the shop is empty)."""
    created = seed.seed_demo()
    click.echo(f"Demo shop: {created['products']} products and {created['users']} "
               "accounts added.")
    if n_products:
        with tqdm(total=n_products, unit="product", desc="Synthetic catalog") as bar:
            seed.seed_synthetic(n_products, progress=bar.update)
    if n_orders:
        with tqdm(total=n_orders, unit="order", desc="Synthetic orders") as bar:
            seed_orders(n_orders, progress=bar.update)
    if current_app.config.get("STORE_DEMO_ACCOUNTS"):
        print_demo_accounts()


def print_demo_accounts() -> None:
    password = current_app.config["STORE_DEMO_PASSWORD"]
    click.echo("Demo accounts (development only), password " + password + ":")
    for email, role, _name in seed.DEMO_USERS:
        click.echo(f"  {role:9} {email}")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", "roles", multiple=True, default=["customer"],
              help="Role to give (repeatable): owner, staff, customer, ...")
@click.password_option(help="The password (asked for when not given).")
def create_user_command(email: str, roles: tuple[str, ...], password: str) -> None:
    """Create a confirmed user with the given roles."""
    accounts.ensure_roles()
    try:
        user = accounts.create_user(email, password, list(roles))
    except StoreError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"Created {user.email} with role(s): {', '.join(roles)}")


@users_cli.command("remove-demo")
def remove_demo_command() -> None:
    """Deactivate the demo accounts (required before serving in production)."""
    removed = demo.remove_demo_accounts()
    if removed:
        click.echo("Deactivated the demo accounts: " + ", ".join(removed))
    else:
        click.echo("No demo accounts found.")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    """Copy the SQLite database consistently (online backup) to PATH."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        raise click.ClickException("Use pg_dump to back up PostgreSQL.")
    path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(url.database)
    target = sqlite3.connect(path)
    with target:
        source.backup(target)
    source.close()
    target.close()
    upload = Path(current_app.config["UPLOAD_FOLDER"])
    if upload.exists():
        shutil.make_archive(str(path.with_suffix("")) + "-uploads", "gztar", upload)
    click.echo(f"Backed up the database to {path}")


def register_commands(app) -> None:
    app.cli.add_command(seed_command)
    app.cli.add_command(users_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(products_cli)
    app.cli.add_command(images_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(orders_cli)
    app.cli.add_command(keys_cli)
    app.cli.add_command(analytics_cli)
