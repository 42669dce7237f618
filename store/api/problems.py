"""Errors as RFC 9457 problem details (application/problem+json); the Api documenting them."""

from __future__ import annotations

import http

import marshmallow as ma
from flask import current_app, jsonify, request
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from werkzeug.exceptions import HTTPException

from store.errors import (
    InvalidTransition,
    NotFound,
    OutOfStock,
    PaymentError,
    PermissionDenied,
    StoreError,
)
from store.extensions import db

PROBLEM = "application/problem+json"

# A StoreError's class decides its status; anything else a service refuses is 422.
STORE_ERROR_STATUS = ((NotFound, 404), (PermissionDenied, 403), (OutOfStock, 409),
                      (InvalidTransition, 409), (PaymentError, 502))


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details."""

    type = ma.fields.String(required=True, metadata={"description": "A URI naming the problem"})
    title = ma.fields.String(required=True, metadata={"description": "The status's name"})
    status = ma.fields.Integer(required=True)
    detail = ma.fields.String(required=True, metadata={"description": "What went wrong"})
    errors = ma.fields.Dict(metadata={"description": "Invalid fields and their messages"})


def problem(status: int, detail: str, *, errors: dict | None = None, headers=None):
    """A problem+json response for `status`."""
    title = http.HTTPStatus(status).phrase
    # "about:blank": the status itself says what the problem is (RFC 9457, section 4.2.1).
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def from_http_exception(exc: HTTPException):
    """An HTTP error raised anywhere under /api/ (routing, CSRF, limits, aborts, 500)."""
    data = getattr(exc, "data", None) or {}
    errors = data.get("errors") or data.get("messages")
    detail = data.get("message") or (
        "Some of the input is not valid; `errors` says which and why." if errors
        else exc.description or exc.name)
    headers = dict(data.get("headers") or {})
    if exc.code == 405 and getattr(exc, "valid_methods", None):
        headers["Allow"] = ", ".join(exc.valid_methods)
    if exc.code == 401:
        headers.setdefault("WWW-Authenticate",
                           current_app.config["SECURITY_TOKEN_AUTHENTICATION_HEADER"])
    if exc.code >= 500:
        current_app.logger.error("API error on %s %s", request.method, request.path)
        detail = "Something went wrong on our side; please try again later."
    response = problem(exc.code or 500, str(detail), errors=_flat(errors), headers=headers)
    if exc.code == 429:
        # Flask-Limiter's Retry-After and limit headers come with its own response.
        limit_response = exc.get_response()
        for name in ("Retry-After",):
            if name in limit_response.headers:
                response.headers[name] = limit_response.headers[name]
    return response


def _flat(errors) -> dict | None:
    """webargs nests errors by location ({"json": {...}}); keep the field messages."""
    if not isinstance(errors, dict):
        return None
    if len(errors) == 1 and next(iter(errors)) in ("json", "query", "form", "view_args"):
        errors = next(iter(errors.values()))
    return errors if isinstance(errors, dict) else {"_": errors}


def from_store_error(exc: StoreError):
    """A service refused: its message, with the status its kind means."""
    db.session.rollback()  # the service rolled its own work back; end the transaction too
    status = next((code for kind, code in STORE_ERROR_STATUS if isinstance(exc, kind)), 422)
    return problem(status, exc.message)


class ProblemApi(Api):
    """flask-smorest's Api, documenting errors as problem+json and leaving the app's
    error pages alone (the API answers its own errors through store.web's renderer hook)."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self):
        """The storefront and back office keep their HTML error pages."""

    def _register_responses(self):
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, response, lazy=True)
