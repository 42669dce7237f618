"""Flask-Security's mail hook: its emails go through the outbox like every other email."""

from flask import g, has_request_context
from flask_security.mail_util import MailUtil

from store.extensions import db
from store.notifications.outbox import queue_email, request_locale
from store.settings.services import get_settings


class OutboxMailUtil(MailUtil):
    """Queue Flask-Security's messages (confirm, reset, notices) in the outbox."""

    def send_mail(self, template, subject, recipient, sender, body, html, **kwargs):
        if isinstance(sender, tuple):
            sender = f"{sender[0]} <{sender[1]}>"
        user = kwargs.get("user")
        locale = getattr(user, "locale", None) or request_locale()
        subject = f"{get_settings().shop_name}: {subject}"  # branded like the others
        kind = "account_" + template.rsplit("/", 1)[-1]  # "security/email/welcome" -> welcome
        queue_email(kind, [str(recipient)], subject, body or "",
                    html or "", locale=locale, sender=str(sender))
        # Flask-Security usually commits its own change after this call; when it sends
        # mail without one (a repeated reset request, say), the message is committed after
        # the request (see store.notifications.init_app) so it is never lost.
        if has_request_context():
            g._store_commit_outbox = True
        else:
            db.session.commit()

