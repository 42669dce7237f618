"""API test helpers: tokens obtained through POST /api/v1/auth/token, clients without cookies."""

import pytest

from tests.conftest import PASSWORD


@pytest.fixture
def bare(app):
    """A second client: no cookies, as a script calling the API would be."""
    return app.test_client()


@pytest.fixture
def token_for(app, auth):
    """token_for("staff") -> an auth token for that role's user (created once)."""

    def get(role: str = "customer", email: str | None = None) -> str:
        user = auth.user(role, email)
        response = app.test_client().post("/api/v1/auth/token",
                                          json={"email": user.email, "password": PASSWORD})
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()["token"]

    return get


def headers(token: str) -> dict:
    return {"Authentication-Token": token}
