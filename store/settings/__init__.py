"""Store settings: the shop's own details and trading rules, kept in the database."""

from store.settings.services import get_settings, warm_up


def init_app(app) -> None:
    """Let templates read the settings (`{{ store_settings().legal_name }}`), and create the
    settings row at a worker's first request, before any transaction of the request."""
    app.jinja_env.globals["store_settings"] = get_settings
    app.before_request(warm_up)
