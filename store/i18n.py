"""Locale selection and Babel-backed formatting of money and dates."""

from decimal import Decimal
from functools import cache, lru_cache

from babel import Locale
from flask import current_app, has_request_context, request, session
from flask_babel import format_date, format_datetime, get_locale, get_timezone, get_translations
from flask_login import current_user

LOCALE_NAMES = {"en": "English", "es": "Español"}
# Codes Babel lists among territories that are not countries one can live or ship in.
NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB"})


@cache
def country_codes() -> frozenset[str]:
    """The ISO 3166 alpha-2 codes of the countries Babel knows (no EU, UN or ZZ)."""
    return frozenset(code for code in Locale("en").territories
                     if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES)


def select_locale() -> str:
    """The visitor's choice, else their account's, else the browser's, else the default."""
    locales = current_app.config["STORE_LOCALES"]
    if not has_request_context():  # commands, the outbox worker, services called directly
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("locale")
    if chosen in locales:
        return chosen
    if current_user and getattr(current_user, "is_authenticated", False):
        if getattr(current_user, "locale", None) in locales:
            return current_user.locale
    if request:
        best = request.accept_languages.best_match(locales)
        if best:
            return best
    return current_app.config["BABEL_DEFAULT_LOCALE"]


@cache
def _currency_pattern(locale: str):
    """The locale's parsed currency pattern, parsed once per process (Babel parses per call)."""
    parsed = Locale.parse(locale)
    return parsed, parsed.currency_formats["standard"]


@lru_cache(maxsize=8192)
def _format_money(value: Decimal, currency: str, locale: str) -> str:
    # A shop shows the same few hundred prices over and over: each is formatted once.
    parsed, pattern = _currency_pattern(locale)
    return pattern.apply(value, parsed, currency=currency, currency_digits=True)


def money(value, currency: str | None = None) -> str:
    """A money amount in the shop currency, formatted for the active locale."""
    if value is None:
        return ""
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    if not value:
        value = Decimal(0)  # minus zero would share (and spoil) zero's cache entry
    return _format_money(value, currency or current_app.config["STORE_CURRENCY"],
                         str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"]))


def current_locale() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def country_name(code: str | None, locale: str | None = None) -> str:
    """A country's name in `locale` (default: the reader's language); unknown codes as given."""
    if not code:
        return ""
    names = Locale.parse(locale or current_locale()).territories
    return names.get(code.strip().upper(), code)


def shop_date(value, fmt: str = "medium") -> str:
    """A date (or a moment's date in the shop's time zone) in the reader's format."""
    return format_date(value, fmt) if value else ""


def shop_datetime(value, fmt: str = "medium") -> str:
    """A moment in the reader's format and the shop's time zone, naming UTC when that is it.

    Stored times are UTC (naive ones from SQLite too); STORE_TIMEZONE names the shop's zone.
    """
    if not value:
        return ""
    text = format_datetime(value, fmt)
    return f"{text} UTC" if str(get_timezone()) == "UTC" else text


def _translations():
    """The active locale's catalog, looked up once per locale and app (Flask-Babel would
    look up its domain, context and locale again for every string of a page)."""
    locale = get_locale()
    if locale is None:
        return get_translations()
    catalogs = current_app.extensions.setdefault("store_translations", {})
    found = catalogs.get(locale)
    if found is None:
        found = catalogs[locale] = get_translations()
    return found


def init_app(app) -> None:
    """Template filters for money, dates and country names; templates' fast gettext."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
        newstyle=True)
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["date"] = shop_date
    app.jinja_env.filters["datetime"] = shop_datetime
    app.jinja_env.filters["country_name"] = country_name
    app.jinja_env.globals["LOCALE_NAMES"] = LOCALE_NAMES
    app.jinja_env.globals["current_locale"] = current_locale
