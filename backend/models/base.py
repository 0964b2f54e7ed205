"""Declarative base and the column types every table shares."""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import BigInteger, DateTime, MetaData
from sqlalchemy.orm import declarative_base
from sqlalchemy.types import TypeDecorator

# Stable constraint names so Alembic migrations are identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Base = declarative_base(metadata=MetaData(naming_convention=NAMING))


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out.

    SQLite has no time zone type, so instants are stored as naive UTC on every
    engine; converting at the boundary keeps comparisons correct on both.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class Money(TypeDecorator):
    """Yuan as Decimal in Python, whole fen (分) in the database.

    SQLite has no exact decimal type (it would store floats); integers are
    exact on every engine.
    """

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Decimal | int | None, dialect: object) -> int | None:
        if value is None:
            return None
        return int((Decimal(value) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))

    def process_result_value(self, value: int | None, dialect: object) -> Decimal | None:
        if value is None:
            return None
        return (Decimal(value) / 100).quantize(Decimal("0.01"))


def utcnow() -> datetime:
    return datetime.now(UTC)
