"""The back office's analytics page: who may see it, its figures, charts, CSV and switch."""

import re

import pytest

from store.accounts.services import create_user
from store.database import write_transaction
from store.extensions import db
from store.models import AuditEvent, Role
from store.models.analytics import AnalyticsSetting
from tests.conftest import PASSWORD, csrf_from


def _figure(html: str, table: str, row: str, figure: str) -> str:
    section = html[html.index(f'id="{table}"'):]
    section = section[section.index(f'data-{"step" if table == "funnel" else "value"}="{row}"'):]
    return re.search(rf'data-figure="{figure}"[^>]*>([^<]*)<', section).group(1).strip()


def test_the_owner_sees_the_funnel_sources_and_products(client, auth, shopping):
    """The owner's page shows the same numbers the shopping made, with SVG charts."""
    auth.login("owner")

    html = client.get("/admin/analytics/").get_data(as_text=True)

    assert [_figure(html, "funnel", k, "sessions")
            for k in ("view", "cart_add", "checkout", "purchase")] == ["3", "2", "1", "1"]
    assert _figure(html, "funnel", "cart_add", "from-previous") == "66.7 %"
    assert _figure(html, "sources", "www.search.example", "purchases") == "1"
    assert _figure(html, "sources", "direct", "visits") == "2"
    assert _figure(html, "campaigns", "insta / social / may", "views") == "2"
    assert _figure(html, "products", str(shopping["poster"].id), "views") == "3"
    assert html.count("<svg") >= 2 and "<script src" not in html.split('id="period"')[1]


def test_the_csv_export_has_the_period_figures(client, auth, shopping):
    """The CSV of the page's period carries the funnel and the revenue by source."""
    auth.login("owner")

    response = client.get("/admin/analytics/export.csv")

    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert "funnel,Purchases,sessions,1" in text
    assert f"source,www.search.example,revenue,{shopping['order'].total}" in text


def test_a_bad_period_falls_back_with_a_message(client, auth):
    """Dates that cannot be are explained, and the last 30 days are shown instead."""
    auth.login("owner")

    response = client.get("/admin/analytics/?start=2026-05-02&end=2026-05-01",
                          follow_redirects=True)

    assert response.status_code == 200
    assert "The period starts after it ends." in response.get_data(as_text=True)


def test_staff_without_the_permission_get_403(client, auth):
    """Staff hold no analytics-read by default: the page and its CSV answer 403."""
    auth.login("staff")

    assert client.get("/admin/analytics/").status_code == 403
    assert client.get("/admin/analytics/export.csv").status_code == 403


def test_a_role_with_analytics_read_opens_the_page_but_cannot_switch(client, auth):
    """An analyst role with analytics-read sees the report; turning recording off is refused."""
    with write_transaction():
        db.session.add(Role(name="analyst", description="Reads analytics",
                            permissions=["admin-access", "analytics-read"]))
    create_user("ana@example.com", PASSWORD, ["analyst"])
    auth.login(email="ana@example.com", role="analyst")

    page = client.get("/admin/analytics/")
    token = auth.csrf_token("/")
    refused = client.post("/admin/analytics/recording",
                          data={"record": "off", "csrf_token": token})

    assert page.status_code == 200 and 'id="recording"' not in page.get_data(as_text=True)
    assert refused.status_code == 403
    assert db.session.get(AnalyticsSetting, 1) is None


@pytest.mark.parametrize("value,stored", [("off", False), ("on", True)])
def test_the_owner_switches_recording_audited(app, client, auth, recorded, value, stored):
    """The owner turns recording off (or back on); the audit log says who did."""
    owner = auth.login("owner")
    token = csrf_from(client, "/admin/analytics/")

    response = client.post("/admin/analytics/recording",
                           data={"record": value, "csrf_token": token})

    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(AnalyticsSetting, 1).record is stored
    audits = db.session.scalars(db.select(AuditEvent).where(
        AuditEvent.object_type == "analytics_setting")).all()
    assert [a.user_id for a in audits] == ([owner.id] if value == "off" else [])
    assert app.extensions["analytics"].consent.value is stored
