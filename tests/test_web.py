"""Request-wide rules: links built from STORE_URL, forged Host headers refused."""

import re

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
