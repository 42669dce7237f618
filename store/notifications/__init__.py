"""Notifications: the email outbox, its delivery with retries, and its commands."""
