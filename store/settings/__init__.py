"""Store settings: the shop's own details and trading rules, kept in the database."""

from store.settings.services import get_settings


def init_app(app) -> None:
    """Let templates read the settings: `{{ store_settings().legal_name }}`."""
    app.jinja_env.globals["store_settings"] = get_settings
