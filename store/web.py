"""Request-wide behaviour: security headers with a CSP nonce, errors, health, locale."""

import secrets
from urllib.parse import unquote, urlsplit

import flask_babel
from flask import (
    Flask,
    current_app,
    g,
    has_request_context,
    jsonify,
    render_template,
    request,
    session,
)
from sqlalchemy import text
from werkzeug.exceptions import HTTPException, SecurityError

from store.extensions import db


class StoreFlask(Flask):
    """Flask whose absolute URLs always start with STORE_URL.

    Links in emails (Flask-Security's reset and confirmation links included) are built with
    `url_for(..., _external=True)` during a request; plain Flask would take the host from the
    request's Host header, so a forged Host could mail a customer a link to another site.
    """

    def url_for(self, endpoint, *, _anchor=None, _method=None, _scheme=None, _external=None,
                **values) -> str:
        if not (_external and has_request_context()):
            return super().url_for(endpoint, _anchor=_anchor, _method=_method, _scheme=_scheme,
                                   _external=_external, **values)
        path = super().url_for(endpoint, _anchor=_anchor, _method=_method, _external=False,
                               **values)
        base = urlsplit(self.config["STORE_URL"])
        return f"{base.scheme}://{base.netloc}{path}"


def safe_next(url: str | None) -> str | None:
    """`url` when it is a path on this shop, else None (for `next`-style redirect targets)."""
    if not url or len(url) > 2000:
        return None
    # Browsers drop tabs and newlines inside URLs and read a backslash as a slash, so
    # "/\t/evil.example" or "/\\evil.example" would leave the site; a newline cannot even
    # be sent as a Location header. Check the decoded form too: "/%09/evil.example/".
    for candidate in (url, unquote(url)):
        if any(ord(ch) < 32 or ord(ch) == 127 or ch == "\\" for ch in candidate):
            return None
        if not candidate.startswith("/") or candidate.startswith("//"):
            return None
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return None
    return url


def csp_nonce() -> str:
    """A per-request nonce for the few scripts the pages load."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def _fresh_request_state() -> None:
    # Nothing request-specific may carry over when an app context outlives a request
    # (as in tests and CLI-driven clients): a new nonce and a freshly chosen locale.
    g.pop("csp_nonce", None)
    flask_babel.refresh()


def _session_identity() -> None:
    # A random id per browser session: rate limits for visitors key on it, not on the
    # address that many honest buyers may share.
    if "_limiter_id" not in session and request.method == "POST":
        session["_limiter_id"] = secrets.token_urlsafe(12)


def _security_headers(response):
    nonce = csp_nonce()
    if request.path.startswith("/admin"):
        # Scripts as strict as the storefront's (the templates in templates/admin/ replace
        # Flask-Admin's inline handlers); styles stay open because Flask-Admin's widgets
        # (select2, x-editable, the date picker) write style attributes into their markup.
        scripts = f"script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'"
    else:
        scripts = f"script-src 'self' 'nonce-{nonce}'; style-src 'self'"
    response.headers.setdefault(
        "Content-Security-Policy",
        f"default-src 'self'; img-src 'self' data:; {scripts}; "
        "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; "
        "form-action 'self' https://checkout.stripe.com",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if current_app.config.get("STORE_ENV") == "production":
        # Production is served over HTTPS only (secure cookies); browsers should never try
        # plain http again, for a year, on this host and its subdomains.
        response.headers.setdefault("Strict-Transport-Security",
                                    "max-age=31536000; includeSubDomains")
    return response


def healthz():
    """Liveness and a database round trip, as JSON; 503 when the database is down."""
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
    except Exception as exc:  # any driver error means "not healthy"
        db.session.rollback()
        return jsonify(status="error", database="unreachable",
                       error=type(exc).__name__), 503
    return jsonify(status="ok", database="ok")


def register_error_renderer(app, prefix: str, render) -> None:
    """Let a face answer HTTP errors under a path prefix its own way (the API: problem+json)."""
    app.extensions.setdefault("store.error_renderers", {})[prefix] = render


def _http_error(exc):
    for prefix, render in current_app.extensions.get("store.error_renderers", {}).items():
        if request.path.startswith(prefix):
            return render(exc)
    if isinstance(exc, SecurityError):
        # An untrusted Host: no URL can be built for this request, so no page either.
        return exc.description, 400, {"Content-Type": "text/plain; charset=utf-8"}
    if request.path.startswith("/admin") and exc.code not in (403, 404):
        return exc
    if request.accept_mimetypes.best == "application/json" or request.path == "/healthz":
        return jsonify(error=exc.name, message=exc.description), exc.code
    return render_template("errors/error.html", error=exc), exc.code


def init_app(app) -> None:
    """Security headers, per-request state, error pages and /healthz."""
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    # Lets the layout link to pages only when their blueprint is registered.
    app.context_processor(lambda: {"url_rules": app.view_functions})
    app.before_request(_fresh_request_state)
    app.before_request(_session_identity)
    app.after_request(_security_headers)
    app.get("/healthz")(healthz)
    app.register_error_handler(HTTPException, _http_error)
