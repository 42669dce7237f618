"""Accounts: roles and permissions, users, customers' data (GDPR export and erasure),
and the Flask-Security wiring whose mail goes through the outbox."""
