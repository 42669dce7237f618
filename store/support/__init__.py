"""Support: the contact form, tickets and replies."""
