"""Model views of the back office."""


def register_views(admin, app) -> None:
    """Add every model view to the admin (filled in by the back-office issue)."""
