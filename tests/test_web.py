"""Request-wide rules: links built from STORE_URL, forged Host headers refused."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from store.support.services import open_ticket
from tests.conftest import csrf_from, make_app
from tests.factories import make_order, make_product
from tests.test_app_factory import production_config


def test_reset_link_ignores_a_forged_host_header(app, client, auth, smtp):
    """A reset requested with a forged Host mails a link to the shop, not to the forger."""
    user = auth.user("customer")
    token = csrf_from(client, "/reset")
    # The attacker's own browser session, sent to the shop with a forged Host header.
    client.set_cookie("session", client.get_cookie("session").value, domain="evil.example")
    response = client.post("http://evil.example/reset",
                           data={"email": user.email, "csrf_token": token})
    assert response.status_code in (200, 302, 303)
    body = smtp.text(smtp.wait_for(1)[0])
    links = re.findall(r"https?://[^\s/]+", body)
    assert links and set(links) == {"http://127.0.0.1:5000"}, links
    assert "evil.example" not in body


def test_untrusted_host_is_a_400_not_a_500(app, client):
    """With TRUSTED_HOSTS set, a request for another host is refused with 400."""
    app.config["TRUSTED_HOSTS"] = ["shop.example.com"]
    refused = client.get("/", headers={"Host": "evil.example"})
    assert refused.status_code == 400
    assert "not trusted" in refused.get_data(as_text=True)
    assert client.get("/", headers={"Host": "shop.example.com"}).status_code == 200


@pytest.mark.parametrize("target", [
    "/products/\nSet-Cookie: x=1",   # a newline: cannot be a Location header
    "/%09/evil.example/",           # a browser reads the tab as nothing: //evil.example/
    "/\t/evil.example/",
    "/\\evil.example/",
    "//evil.example/x",
    "https://evil.example/",
    "javascript:alert(1)",
])
def test_language_switch_refuses_a_return_address_off_the_shop(client, target):
    """A `next` that is not a page of this shop is a 400 with a message; the language stays."""
    response = client.post("/locale", data={"locale": "es", "next": target,
                                            "csrf_token": csrf_from(client, "/")})
    assert response.status_code == 400
    assert "does not lead to a page of this shop" in response.get_data(as_text=True)
    assert "Location" not in response.headers
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_language_switch_returns_to_the_page_with_its_query(client):
    """Switching language on a search page comes back to the same search."""
    response = client.post("/locale", data={"locale": "es", "next": "/products/?q=blue%20mug",
                                            "csrf_token": csrf_from(client, "/")})
    assert response.status_code == 302
    assert response.headers["Location"] == "/products/?q=blue%20mug"
    assert '<html lang="es">' in client.get("/").get_data(as_text=True)


def test_production_sends_hsts_and_development_does_not(tmp_path, client):
    """Browsers are told to use HTTPS for a year in production, never in development."""
    assert "Strict-Transport-Security" not in client.get("/").headers
    app = make_app(tmp_path, **production_config(tmp_path))
    response = app.test_client().get("/", base_url="https://shop.example.com")
    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def _page_key(url: str) -> str:
    """One visit per page and record: sorting, paging and filters are the same page."""
    parts = urlsplit(url)
    record = parse_qs(parts.query).get("id", [""])[0]
    return f"{parts.path}?id={record}"


def test_every_back_office_page_allows_only_nonced_scripts(app, client, auth):
    """Every back-office page the owner opens runs only the shop's own, nonced scripts."""
    product = make_product()
    customer = auth.user("customer")
    make_order(items=[(product.variants[0], 1)], user=customer)
    open_ticket("Ana", "ana@example.com", "Where is my parcel?")
    auth.login("owner")
    queue, seen, pages = ["/admin/"], set(), 0
    while queue and pages < 150:
        url = queue.pop(0)
        if _page_key(url) in seen:
            continue
        seen.add(_page_key(url))
        response = client.get(url)
        if not response.content_type.startswith("text/html"):
            continue
        assert response.status_code == 200, url
        pages += 1
        policy = response.headers["Content-Security-Policy"]
        script_src = re.search(r"script-src ([^;]+)", policy).group(1)
        assert "'unsafe-inline'" not in script_src, (url, policy)
        nonce = re.search(r"'nonce-([^']+)'", script_src).group(1)
        html = response.get_data(as_text=True)
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", html), (url, "inline event handler")
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert f'nonce="{nonce}"' in tag, (url, tag)
        for href in re.findall(r'href="(/admin/[^"]*)"', html):
            href = unescape(href)
            if "/static/" not in href and "export" not in href:
                queue.append(href)
    assert pages > 20, seen  # the crawl reached the back office's views and records
