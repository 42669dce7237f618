"""Request-wide rules: links built from STORE_URL, forged Host headers refused."""

import re

import pytest

from tests.conftest import csrf_from


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
