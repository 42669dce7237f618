"""Shared column types and helpers for the models."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated

from sqlalchemy import DateTime, Numeric
from sqlalchemy.orm import mapped_column


def utcnow() -> datetime:
    """The current time in UTC, timezone-aware."""
    return datetime.now(UTC)


# Money is always Numeric(12, 2) mapped to Decimal, never float.
Money = Annotated[Decimal, mapped_column(Numeric(12, 2, asdecimal=True))]
Timestamp = Annotated[datetime, mapped_column(DateTime(timezone=True), default=utcnow)]
