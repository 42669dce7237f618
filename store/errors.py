"""Domain errors: services raise them, views turn them into messages."""


class StoreError(Exception):
    """A business rule refused the request; the message is safe to show the user."""

    def __init__(self, message: str, **details):
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(StoreError):
    """The object does not exist, or does not belong to the person asking."""


class ValidationFailed(StoreError):
    """Input that cannot be used as given."""


class OutOfStock(StoreError):
    """Not enough stock on hand for the requested quantity."""


class InvalidTransition(StoreError):
    """An order cannot move from its current status to the requested one."""


class EmptyCart(StoreError):
    """Checkout of a cart with nothing in it."""


class PaymentError(StoreError):
    """The payment provider refused or failed."""


class PermissionDenied(StoreError):
    """The user lacks a permission the action needs."""
