"""Shipping: zones of countries, their methods, and what a method costs for one cart.

A zone is a set of countries (or the one "rest of the world" catch-all) with its methods; a
method costs a flat price or the price of the band the order value or the parcel's weight
falls in, and may be free from a subtotal up. Every price comes from the database (edited in
the back office); the environment's SHIPPING_* keys only seed Spain's rates on the first run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from babel import Locale
from flask import current_app, has_request_context, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from store.database import write_transaction
from store.errors import ValidationFailed
from store.extensions import db
from store.i18n import country_codes
from store.models import ShippingBand, ShippingMethod, ShippingZone
from store.models.shipping import PRICE_KINDS
from store.settings.services import get_settings

ZERO = Decimal("0.00")
# The zones read by the current request (pricing asks for them several times per page).
_CACHE = "store.shipping_zones"
CENT = Decimal("0.01")

# A method's name, with its delivery time: checkout choices and emails. The seeded codes are
# translated here; any other method is named by its `name` in the back office.
LABELS = {"standard": _l("Standard delivery (3–5 working days)"),
          "express": _l("Express delivery (1–2 working days)")}
# The same names where space is short (the order page) and on the checkout's total line.
SHORT_LABELS = {"standard": _l("Standard delivery"), "express": _l("Express delivery")}
TOTAL_LABELS = {"standard": _l("Total with standard delivery"),
                "express": _l("Total with express delivery")}
_STYLES = {"full": LABELS, "short": SHORT_LABELS, "total": TOTAL_LABELS}

EU_COUNTRIES = ("AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU",
                "IE", "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES",
                "SE")


class _MethodCodes:
    """The codes of the shop's active methods, as a container: `code in METHODS`."""

    def __contains__(self, code) -> bool:
        return isinstance(code, str) and any(
            m.code == code and m.active for zone in _zones() for m in zone.methods)

    def __iter__(self):
        return iter(sorted({m.code for zone in _zones() for m in zone.methods if m.active}))


METHODS = _MethodCodes()


def _method_name(code: str) -> str | None:
    return next((m.name for zone in _zones() for m in zone.methods if m.code == code), None)


def shipping_label(code: str, style: str = "full") -> str:
    """A shipping method's name in the active language ("full", "short" or "total" wording).

    Every page and email that names a method goes through here; an unknown code (an old
    order's method since removed) is shown as it is.
    """
    label = _STYLES[style].get(code)
    if label is not None:
        return str(label)
    name = _method_name(code) if code else None
    if name is None:
        return code
    return str(_l("Total with %(method)s", method=name)) if style == "total" else name


@dataclass(frozen=True)
class ShippingOption:
    """A shipping method with its price for one cart."""

    code: str
    label: str
    cost: Decimal
    free_above: Decimal | None


# -- zones ----------------------------------------------------------------------------------

def default_country(config=None) -> str:
    """The country a cart is priced for before the customer chooses one (a store setting;
    an explicit `config` is a first-run seed, as in ensure_default_zones)."""
    if config is not None:
        return str(config.get("STORE_DEFAULT_COUNTRY") or "ES").upper()
    return get_settings().default_country


def known_countries() -> frozenset[str]:
    """Every country code Babel knows (store.i18n's one list)."""
    return country_codes()


@dataclass(frozen=True)
class Band:
    """A shipping band as priced: up to `upper_bound` (None: and above) costs `price`."""

    upper_bound: Decimal | None
    price: Decimal


@dataclass(frozen=True)
class Method:
    """A shipping method as priced (a snapshot of a ShippingMethod row)."""

    code: str
    name: str
    price_kind: str
    flat_price: Decimal
    free_above: Decimal | None
    active: bool
    position: int
    bands: tuple[Band, ...]


@dataclass(frozen=True)
class Zone:
    """A shipping zone as priced (a snapshot of a ShippingZone row with its methods)."""

    id: int
    name: str
    countries: tuple[str, ...]
    rest_of_world: bool
    methods: tuple[Method, ...]


def _load_zones() -> list[Zone]:
    query = (select(ShippingZone)
             .options(joinedload(ShippingZone.methods).joinedload(ShippingMethod.bands))
             .order_by(ShippingZone.position, ShippingZone.id))
    return [Zone(zone.id, zone.name, tuple(zone.countries or ()), bool(zone.rest_of_world),
                 tuple(Method(m.code, m.name, m.price_kind, m.flat_price, m.free_above,
                              bool(m.active), m.position or 0,
                              tuple(Band(b.upper_bound, b.price) for b in sorted_bands(m.bands)))
                       for m in sorted(zone.methods, key=lambda m: (m.position or 0, m.id))))
            for zone in db.session.scalars(query).unique()]


def _zones() -> list[Zone]:
    """Every zone with its methods and bands: one statement, read once per request."""
    if not has_request_context():
        return _load_zones()
    if _CACHE not in request.environ:
        request.environ[_CACHE] = _load_zones()
    return request.environ[_CACHE]


def allowed_countries() -> list[str]:
    """The codes of the countries the shop ships to (all of them with a catch-all zone)."""
    zones = _zones()
    if any(zone.rest_of_world for zone in zones):
        return sorted(known_countries())
    return sorted({code for zone in zones for code in (zone.countries or [])})


def country_name(code: str) -> str:
    """A country's name in the visitor's language (the code when Babel does not know it)."""
    locale = get_locale() if has_request_context() else Locale("en")
    return locale.territories.get(code, code)


def _find_zone(zones: list[Zone], country: str) -> Zone:
    code = (country or "").strip().upper()
    catch_all = None
    for zone in zones:
        if code in (zone.countries or []):
            return zone
        if zone.rest_of_world and catch_all is None:
            catch_all = zone
    if catch_all is not None and code in known_countries():
        return catch_all
    raise ValidationFailed(str(_l("We do not ship to %(country)s.",
                                  country=country_name(code) if code else "—")),
                           field="country")


def zone_for(country: str) -> Zone:
    """The zone shipping to `country`; ValidationFailed (field country) when none does."""
    return _find_zone(_zones(), country)


# -- prices ---------------------------------------------------------------------------------

def sorted_bands(bands) -> list[ShippingBand]:
    """Bands from the lowest upper bound up; the open-ended band ("and above") last."""
    return sorted(bands, key=lambda b: (b.upper_bound is None, b.upper_bound or 0))


def method_price(method: Method | ShippingMethod, subtotal: Decimal,
                 weight: Decimal = ZERO) -> Decimal | None:
    """What `method` costs for a cart; None when no band covers its value or weight."""
    if subtotal <= ZERO:
        return ZERO
    if method.free_above is not None and subtotal >= method.free_above:
        return ZERO
    if method.price_kind == "flat":
        return Decimal(method.flat_price).quantize(CENT)
    amount = subtotal if method.price_kind == "value_bands" else Decimal(weight)
    for band in sorted_bands(method.bands):
        if band.upper_bound is None or amount <= band.upper_bound:
            return Decimal(band.price).quantize(CENT)
    return None


def _offered(zone: Zone) -> list[Method]:
    return [m for m in zone.methods if m.active]


def shipping_cost(method: str, subtotal: Decimal, config=None, *, country: str | None = None,
                  weight: Decimal = ZERO) -> Decimal:
    """What delivery by `method` costs for a cart shipped to `country` (default: the shop's).

    ValidationFailed names the field: `country` when no zone ships there, `shipping_method`
    when the method is unknown or not offered in that country's zone (or for this cart).
    """
    zones = _zones()
    zone = _find_zone(zones, country or default_country(config))
    chosen = next((m for m in _offered(zone) if m.code == method), None)
    if chosen is None:
        if not any(m.code == method and m.active for z in zones for m in z.methods):
            raise ValidationFailed(str(_l("Please choose a shipping method.")),
                                   field="shipping_method")
        raise ValidationFailed(str(_l(
            "%(method)s is not available to %(country)s. Please choose another delivery.",
            method=shipping_label(method, "short"),
            country=country_name(country or default_country(config)))),
            field="shipping_method")
    cost = method_price(chosen, subtotal, weight)
    if cost is None:
        raise ValidationFailed(str(_l("%(method)s is not available for this order. Please "
                                      "choose another delivery.",
                                      method=shipping_label(method, "short"))),
                               field="shipping_method")
    return cost


def options(subtotal: Decimal, config=None, *, country: str | None = None,
            weight: Decimal = ZERO) -> list[ShippingOption]:
    """The methods of the country's zone with their cost for this cart, for the checkout."""
    zone = zone_for(country or default_country(config))
    offered = []
    for method in _offered(zone):
        cost = method_price(method, subtotal, weight)
        if cost is not None:
            offered.append(ShippingOption(method.code, shipping_label(method.code), cost,
                                          method.free_above))
    return offered


def cart_weight(lines) -> Decimal:
    """The weight in kg of cart lines (anything with `variant` and `quantity`)."""
    return sum((Decimal(line.variant.weight or 0) * line.quantity for line in lines),
               Decimal("0"))


# -- checks and seeds -----------------------------------------------------------------------

_CODE = re.compile(r"^[a-z0-9_-]{1,32}$")


def normalize_countries(codes) -> list[str]:
    """Upper-case, de-duplicated ISO codes; ValidationFailed on a code Babel does not know."""
    known = known_countries()
    result = []
    for raw in codes or []:
        code = str(raw).strip().upper()
        if not code:
            continue
        if code not in known:
            raise ValidationFailed(f"Unknown country code: {code}.", field="countries")
        if code not in result:
            result.append(code)
    return result


def check_zone(zone: ShippingZone) -> None:
    """Refuse a zone sharing a country with another zone, or a second catch-all."""
    zone.countries = normalize_countries(zone.countries)
    if not (zone.name or "").strip():
        raise ValidationFailed("A zone needs a name.", field="name")
    if not zone.countries and not zone.rest_of_world:
        raise ValidationFailed("List the zone's countries, or make it the rest of the world.",
                               field="countries")
    with db.session.no_autoflush:
        others = [z for z in db.session.scalars(select(ShippingZone)) if z is not zone]
    for other in others:
        shared = sorted(set(zone.countries) & set(other.countries or []))
        if shared:
            raise ValidationFailed(
                f"{', '.join(shared)} already in zone “{other.name}”: a country belongs to "
                "one zone only.", field="countries")
        if zone.rest_of_world and other.rest_of_world:
            raise ValidationFailed(f"“{other.name}” is already the rest of the world.",
                                   field="rest_of_world")


def _check_money(value, label: str, field: str) -> None:
    if value is not None and Decimal(value) < 0:
        raise ValidationFailed(f"{label} cannot be negative.", field=field)


def check_bands(bands) -> None:
    """Bands with non-negative prices and increasing upper bounds; only the last open."""
    previous = None
    for position, band in enumerate(bands):
        _check_money(band.price, "A band's price", "bands")
        _check_money(band.upper_bound, "A band's upper bound", "bands")
        if band.upper_bound is None:
            if position != len(bands) - 1:
                raise ValidationFailed("Only the last band may have no upper bound.",
                                       field="bands")
        elif previous is not None and band.upper_bound <= previous:
            raise ValidationFailed("Band upper bounds must increase.", field="bands")
        previous = band.upper_bound


def check_method(method: ShippingMethod, bands=None) -> None:
    """Refuse a bad code or kind, negative prices, and bands that do not increase.

    `bands` in the order entered (default: the method's): their upper bounds must increase.
    """
    bands = list(method.bands if bands is None else bands)
    if not _CODE.match(method.code or ""):
        raise ValidationFailed("A code is 1 to 32 lowercase letters, digits, - or _.",
                               field="code")
    if method.price_kind not in PRICE_KINDS:
        raise ValidationFailed("Choose flat, value_bands or weight_bands.", field="price_kind")
    _check_money(method.flat_price, "The flat price", "flat_price")
    _check_money(method.free_above, "The free-above threshold", "free_above")
    if method.price_kind != "flat" and not bands:
        raise ValidationFailed("A banded price needs at least one band.", field="bands")
    check_bands(bands)


def ensure_default_zones(config=None) -> bool:
    """Seed the demo zones into a shop without any: Spain, the EU, the rest of the world.

    Spain's rates come from SHIPPING_STANDARD, SHIPPING_EXPRESS and SHIPPING_FREE_THRESHOLD
    (first run only; afterwards the back office edits them). Commits; True when it seeded.
    """
    cfg = config if config is not None else current_app.config
    with write_transaction():
        if db.session.scalar(select(func.count(ShippingZone.id))):
            return False
        for position, (name, countries, world, methods) in enumerate(_demo_zones(cfg)):
            zone = ShippingZone(name=name, countries=list(countries), rest_of_world=world,
                                position=position)
            for order, (code, label, price, free_above) in enumerate(methods):
                zone.methods.append(ShippingMethod(
                    code=code, name=label, price_kind="flat", flat_price=Decimal(price),
                    free_above=free_above, active=True, position=order))
            db.session.add(zone)
    return True


def _demo_zones(cfg) -> list[tuple]:
    standard = Decimal(cfg.get("SHIPPING_STANDARD", "4.90"))
    express = Decimal(cfg.get("SHIPPING_EXPRESS", "9.90"))
    threshold = Decimal(cfg.get("SHIPPING_FREE_THRESHOLD", "60.00"))
    return [
        ("Spain", ("ES",), False, [("standard", "Standard delivery", standard, threshold),
                                   ("express", "Express delivery", express, None)]),
        ("European Union", tuple(c for c in EU_COUNTRIES if c != "ES"), False,
         [("standard", "Standard delivery", Decimal("12.00"), None)]),
        ("Rest of the world", (), True,
         [("standard", "Standard delivery", Decimal("25.00"), None)]),
    ]
