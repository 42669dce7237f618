"""`flask products import FILE` and `flask products export FILE`: the product CSV;
`flask images rebuild`: the WebP widths and thumbnails of every product image."""

import sys

import click
from flask.cli import AppGroup

from store.catalog.csv_import import ImportRejected, import_products, preview_import
from store.catalog.images import rebuild_images
from store.catalog.product_csv import write_csv
from store.errors import ValidationFailed

products_cli = AppGroup("products", help="Import and export the catalog as CSV.")
images_cli = AppGroup("images", help="Product image files.")


@images_cli.command("rebuild")
def rebuild_command() -> None:
    """Remake the thumbnail and WebP widths of every product image (after an upgrade)."""
    rebuilt, missing = rebuild_images()
    click.echo(f"Rebuilt {rebuilt} image(s).")
    for path in missing:
        click.echo(f"Missing or unreadable: {path}", err=True)
    if missing:
        raise click.ClickException(f"{len(missing)} image file(s) could not be read.")


@products_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option("--dry-run", is_flag=True, help="Only show what would change.")
def import_command(path: str, dry_run: bool) -> None:
    """Create or update products from a CSV file (all rows or none)."""
    if path == "-":
        data = sys.stdin.buffer.read()
    else:
        with open(path, "rb") as handle:
            data = handle.read()
    try:
        report = preview_import(data) if dry_run else import_products(data)
    except ImportRejected as exc:
        _print_errors(exc.report.errors)
        raise click.ClickException("Nothing was imported.") from None
    except ValidationFailed as exc:
        raise click.ClickException(exc.message) from None
    if dry_run and report.errors:
        _print_errors(report.errors)
        raise click.ClickException("This file would be rejected; nothing was imported.")
    verb = "Would import" if dry_run else "Imported"
    click.echo(f"{verb}: {report.count('create')} variants created, "
               f"{report.count('update')} updated, {report.count('unchanged')} unchanged; "
               f"{report.products_created} new products, {report.products_updated} products "
               f"changed, {len(report.categories_created)} new categories"
               + ("" if dry_run else f", {report.stock_movements} stock movements") + ".")


def _print_errors(errors) -> None:
    for error in errors:
        click.echo(str(error), err=True)


@products_cli.command("export")
@click.argument("path", type=click.Path(dir_okay=False, writable=True, allow_dash=True))
def export_command(path: str) -> None:
    """Write the whole catalog to a CSV file (the import format); '-' writes to stdout."""
    if path == "-":
        write_csv(sys.stdout)
        return
    with open(path, "w", encoding="utf-8", newline="") as handle:
        count = write_csv(handle)
    click.echo(f"Exported {count} variants to {path}.")
