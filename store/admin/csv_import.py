"""Back office product import: upload a CSV, preview what it would do, then apply it.

Between preview and apply the uploaded file is kept server-side, in the instance folder
(`IMPORT_FOLDER`, default `instance/imports`) under a random name that is also remembered in
the signed session, so only the person who uploaded it can apply it. Files are removed once
applied, and any left over for a day are removed at the next upload.
"""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path

from flask import (
    Response,
    current_app,
    flash,
    redirect,
    session,
    stream_with_context,
    url_for,
)
from flask_admin import BaseView, expose
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField
from wtforms.validators import InputRequired, Regexp

from store.admin.gate import PermissionGate
from store.catalog.csv_import import ImportRejected, import_products, preview_import
from store.catalog.product_csv import COLUMNS, iter_csv
from store.errors import ValidationFailed

TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
SESSION_KEY = "product_import"
KEEP_SECONDS = 24 * 3600
PREVIEW_ROWS = 500


class UploadForm(FlaskForm):
    """The CSV file to import."""

    file = FileField("CSV file", validators=[FileRequired("Choose a CSV file.")])


class ApplyForm(FlaskForm):
    """Apply the previewed file, named by its server-side token."""

    token = HiddenField(validators=[InputRequired(), Regexp(TOKEN)])


def import_folder() -> Path:
    """Where uploaded files wait between preview and apply (never a public folder)."""
    folder = current_app.config.get("IMPORT_FOLDER") or Path(current_app.instance_path) / "imports"
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _path(token: str) -> Path:
    return import_folder() / f"{token}.csv"


def _remove_stale() -> None:
    cutoff = time.time() - KEEP_SECONDS
    for old in import_folder().glob("*.csv"):
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except FileNotFoundError:
            pass


class ProductImportView(PermissionGate, BaseView):
    """Import products from a CSV file in the shop's format, with a preview first."""

    permission = "catalog-write"

    @expose("/")
    def index(self):
        """The upload form and a description of the format."""
        return self.render("admin/import/upload.html", form=UploadForm(), columns=COLUMNS)

    @expose("/preview/", methods=("POST",))
    def preview(self):
        """Keep the uploaded file and show what importing it would create, update or reject."""
        form = UploadForm()
        if not form.validate_on_submit():
            for error in form.file.errors:
                flash(error, "error")
            return redirect(url_for(".index"))
        data = form.file.data.read()
        _remove_stale()
        token = secrets.token_urlsafe(24)
        _path(token).write_bytes(data)
        session[SESSION_KEY] = token
        return self._render_preview(token, data)

    def _render_preview(self, token: str, data: bytes, report=None):
        if report is None:
            try:
                report = preview_import(data)
            except ValidationFailed as exc:
                flash(exc.message, "error")
                _path(token).unlink(missing_ok=True)
                return redirect(url_for(".index"))
        return self.render("admin/import/preview.html", report=report,
                           form=ApplyForm(formdata=None, token=token),
                           rows=report.rows[:PREVIEW_ROWS],
                           hidden_rows=max(0, len(report.rows) - PREVIEW_ROWS))

    @expose("/apply/", methods=("POST",))
    def apply(self):
        """Import the previewed file in one transaction; nothing changes if a row is wrong."""
        form = ApplyForm()
        token = form.token.data or ""
        if not form.validate_on_submit() or session.get(SESSION_KEY) != token:
            flash("That import is no longer available; upload the file again.", "error")
            return redirect(url_for(".index"))
        path = _path(token)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            flash("That import is no longer available; upload the file again.", "error")
            return redirect(url_for(".index"))
        try:
            report = import_products(data, actor=current_user)
        except ImportRejected as exc:
            flash("Nothing was imported: fix the rows below and upload the file again.",
                  "error")
            return self._render_preview(token, data, exc.report)
        except ValidationFailed as exc:
            flash(exc.message, "error")
            return redirect(url_for(".index"))
        path.unlink(missing_ok=True)
        session.pop(SESSION_KEY, None)
        flash(f"Imported: {report.count('create')} variants created, {report.count('update')} "
              f"updated, {report.count('unchanged')} unchanged; {report.products_created} new "
              f"products, {report.stock_movements} stock movements.", "success")
        return redirect(url_for("product.index_view"))

    @expose("/export.csv")
    def export(self):
        """Download the whole catalog in the import format."""
        return Response(stream_with_context(iter_csv()), mimetype="text/csv",
                        headers={"Content-Disposition": "attachment;filename=products.csv"})


def register_import_views(admin) -> None:
    """Add the product import pages."""
    admin.add_view(ProductImportView(name="Import products", category="Catalog",
                                     endpoint="productimport", url="/admin/product-import"))
