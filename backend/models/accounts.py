"""Electricity accounts (户号) and their monthly bills."""
from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import relationship

from glossary import names

from .base import Base, Money, UTCDateTime, utcnow

ACCOUNT_STATUSES = tuple(names.ACCOUNT_STATUSES)  # codes; names in glossary.names


class Account(Base):
    __tablename__ = "accounts"

    id = Column(Integer, primary_key=True)
    account_no = Column(String(13), nullable=False, unique=True)
    name = Column(String(50), nullable=False)
    phone = Column(String(20), nullable=False, index=True)
    address = Column(String(200), nullable=False)
    area_id = Column(Integer, ForeignKey("areas.id"), nullable=False, index=True)
    transformer_area = Column(String(50), nullable=False, index=True)  # 台区
    tariff = Column(String(32), nullable=False)  # key into config/tariffs/
    time_of_use = Column(Boolean, nullable=False, default=False)  # 峰谷电价 opted in
    prepaid = Column(Boolean, nullable=False, default=False)  # 智能费控
    balance = Column(Money, nullable=False, default=0)  # prepaid credit, yuan
    status = Column(String(24), nullable=False, default="normal")
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)

    area = relationship("Area")
    bills = relationship("Bill", back_populates="account", order_by="Bill.period")


class Bill(Base):
    """One month's bill. Arrears and late fee are derived from it on the asked-for day."""

    __tablename__ = "bills"
    __table_args__ = (UniqueConstraint("account_id", "period"),)

    id = Column(Integer, primary_key=True)
    account_id = Column(Integer, ForeignKey("accounts.id"), nullable=False)
    period = Column(String(7), nullable=False)  # "2026-10"
    kwh_total = Column(Integer, nullable=False)
    kwh_peak = Column(Integer)  # null unless time-of-use
    kwh_valley = Column(Integer)
    annual_kwh = Column(Integer, nullable=False)  # cumulative in the tier year, this bill included
    tier = Column(Integer, nullable=False)  # tier the cumulative usage has reached (1-3)
    amount = Column(Money, nullable=False)
    paid_amount = Column(Money, nullable=False, default=0)
    due_date = Column(Date, nullable=False)
    paid_at = Column(UTCDateTime)

    account = relationship("Account", back_populates="bills")


class IdentityFailure(Base):
    """A failed 户号 + phone check. Kept in the database so every backend replica
    counts the same failures and a restart does not reset a lockout."""

    __tablename__ = "identity_failures"
    __table_args__ = (Index("ix_identity_failures_account_at", "account_no", "failed_at"),)

    id = Column(Integer, primary_key=True)
    account_no = Column(String(13), nullable=False)
    failed_at = Column(UTCDateTime, nullable=False)
