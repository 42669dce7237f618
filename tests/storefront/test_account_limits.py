"""Data downloads and deletion requests are rate-limited per account."""

import pytest

from tests.conftest import csrf_from
from tests.storefront.test_account import sign_in


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True, "STORE_ACCOUNT_DATA_LIMIT": "2/minute"}


@pytest.mark.parametrize("path, data", [("/account/export", {}),
                                        ("/account/delete", {"password": "wrong guess"})])
def test_the_third_request_in_a_minute_is_refused(shop, auth, path, data):
    """The third download (or deletion request) in a minute is refused with 429; another
    customer is not affected."""
    sign_in(shop, auth)
    statuses = [shop.post(path, data={**data, "csrf_token": csrf_from(shop, "/account")})
                .status_code for _ in range(3)]
    assert 429 not in statuses[:2] and statuses[2] == 429
    shop.post("/logout", data={"csrf_token": csrf_from(shop, "/")})
    sign_in(shop, auth, "bea@example.com")
    response = shop.post(path, data={**data, "csrf_token": csrf_from(shop, "/account")})
    assert response.status_code != 429
