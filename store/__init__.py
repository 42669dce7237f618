"""SimpleStore: a small shop's storefront and back office."""

from flask import Flask

from store.config import ROOT, check_production, load_config


def create_app(config: dict | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints, admin and commands."""
    app = Flask(__name__, template_folder=str(ROOT / "templates"),
                static_folder=str(ROOT / "static"), instance_path=str(ROOT / "instance"))
    app.config.update(load_config(config))
    check_production(app.config)

    from store import database, i18n, web  # noqa: F401  registers the SQLite connection events
    from store.accounts import security
    from store.extensions import babel, csrf, db, limiter, mail, migrate
    from store.notifications import outbox as notifications

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)  # before Security, so its forms are CSRF-protected too
    mail.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    limiter.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    notifications.init_app(app)
    web.init_app(app)

    from store.storefront import bp as storefront_bp

    app.register_blueprint(storefront_bp)

    from store.admin import init_admin

    init_admin(app)

    from store.cli import register_commands

    register_commands(app)
    return app
