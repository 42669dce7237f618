"""Back office analytics: the funnel, sources, campaigns and products of a period, with
SVG charts drawn on the server and a CSV export; owners switch recording on or off."""

from __future__ import annotations

from decimal import Decimal

from flask import Response, current_app, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_login import current_user
from flask_wtf import FlaskForm

from store.admin.gate import PermissionGate, has_permission
from store.analytics import consent
from store.analytics.recording import EXTENSION
from store.analytics.reports import build_report, parse_period, report_csv
from store.errors import ValidationFailed
from store.reports.services import revenue_chart


class RecordingForm(FlaskForm):
    """The switch's form: only its CSRF token (the button says which way)."""


def _period():
    try:
        return parse_period(request.args.get("start"), request.args.get("end")), None
    except ValidationFailed as exc:
        return parse_period(None, None), exc.message


class AnalyticsView(PermissionGate, BaseView):
    """The analytics report of a period picked by two dates."""

    permission = "analytics-read"

    @expose("/")
    def index(self):
        """Funnel with conversion rates, sources, campaigns, products, revenue by source."""
        period, problem = _period()
        if problem:
            flash(problem, "error")
        report = build_report(period)
        chart = revenue_chart([(day, Decimal(views)) for day, views, _p in report.daily])
        recorder = current_app.extensions[EXTENSION]
        return self.render("admin/analytics.html", report=report, chart=chart,
                           recording=consent.read_setting(), enabled=recorder.enabled,
                           can_switch=has_permission("settings-manage"),
                           form=RecordingForm())

    @expose("/export.csv")
    def export(self):
        """The same report as CSV."""
        period, _problem = _period()
        body = report_csv(build_report(period))
        name = f"analytics-{period.start.isoformat()}-{period.end.isoformat()}.csv"
        return Response(body, mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

    @expose("/recording", methods=("POST",))
    def recording(self):
        """Turn recording on or off for the whole shop (owners: settings-manage)."""
        if not has_permission("settings-manage"):
            return self.inaccessible_callback("recording")
        if not RecordingForm().validate_on_submit():
            flash("The form expired; try again.", "error")
            return redirect(url_for(".index"), 303)
        on = request.form.get("record") == "on"
        consent.set_recording(current_user._get_current_object(), on,
                              current_app.extensions[EXTENSION].consent)
        flash("Analytics recording is " + ("on." if on else "off: nothing is recorded."),
              "success")
        return redirect(url_for(".index"), 303)


def register_analytics_views(admin) -> None:
    """Add the analytics page to the back office."""
    admin.add_view(AnalyticsView(name="Analytics", endpoint="analytics", url="/admin/analytics"))
