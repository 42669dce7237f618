"""Carriers the shop ships with: their names and tracking links (the one definition)."""

from __future__ import annotations

from urllib.parse import quote

CARRIERS = {
    "correos": ("Correos", "https://www.correos.es/es/en/tools/tracking/shipments?tracking-number={}"),
    "dhl": ("DHL", "https://www.dhl.com/en/express/tracking.html?AWB={}"),
    "ups": ("UPS", "https://www.ups.com/track?tracknum={}"),
    "fedex": ("FedEx", "https://www.fedex.com/fedextrack/?trknbr={}"),
    "gls": ("GLS", "https://gls-group.com/track/{}"),
    "seur": ("SEUR", "https://www.seur.com/livetracking/?segOnlineIdentificador={}"),
}

CHOICES = [(key, name) for key, (name, _url) in CARRIERS.items()]


def carrier_name(carrier: str | None) -> str:
    """The carrier's display name ("DHL"); an unknown carrier as typed; "" for none."""
    if not carrier:
        return ""
    entry = CARRIERS.get(carrier.lower())
    return entry[0] if entry else carrier


def tracking_url(carrier: str | None, tracking_number: str | None) -> str | None:
    """The carrier's tracking page for a parcel, when the carrier is known."""
    if not carrier or not tracking_number:
        return None
    entry = CARRIERS.get(carrier.lower())
    if entry is None:
        return None
    return entry[1].format(quote(tracking_number, safe=""))
