"""SimpleStore: a small shop's storefront and back office."""

from store import (
    analytics,
    database,
    i18n,
    ops,
    settings,
    web,
)
from store.accounts import masking, security
from store.admin import init_admin
from store.api import init_api
from store.cli import register_commands
from store.config import ROOT, check_production, load_config
from store.dev.demo import check_demo_accounts
from store.extensions import babel, csrf, db, limiter, mail, migrate
from store.notifications import delivery as notifications
from store.orders import invoice_pdf
from store.storefront import bp as storefront_bp


def create_app(config: dict | None = None) -> web.StoreFlask:
    """Build the application: configuration, extensions, blueprints, admin and commands."""
    app = web.StoreFlask(__name__, template_folder=str(ROOT / "templates"),
                          static_folder=str(ROOT / "static"),
                          instance_path=str(ROOT / "instance"))
    app.config.update(load_config(config))
    check_production(app.config)

    db.init_app(app)
    database.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)  # before Security, so its forms are CSRF-protected too
    mail.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    limiter.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    notifications.init_app(app)
    invoice_pdf.init_app(app)
    web.init_app(app)
    ops.init_app(app)
    masking.init_app(app)
    settings.init_app(app)
    analytics.init_app(app)

    app.register_blueprint(storefront_bp)
    init_admin(app)
    init_api(app)
    register_commands(app)
    check_demo_accounts(app)
    return app
