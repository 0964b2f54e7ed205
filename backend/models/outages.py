"""Outage notices (停电信息) and the areas / transformer areas they cover."""
from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import relationship

from glossary import names

from .base import Base, UTCDateTime, utcnow

# The codes; their names are in glossary.names.
OUTAGE_TYPES = tuple(names.OUTAGE_TYPES)
OUTAGE_STATUSES = tuple(names.OUTAGE_STATUSES)


class Outage(Base):
    __tablename__ = "outages"
    __table_args__ = (Index("ix_outages_window", "start_at", "expected_end_at"),)

    id = Column(Integer, primary_key=True)
    type = Column(String(16), nullable=False)
    status = Column(String(16), nullable=False, default="scheduled")
    start_at = Column(UTCDateTime, nullable=False)
    expected_end_at = Column(UTCDateTime, nullable=False)
    restored_at = Column(UTCDateTime)
    published_at = Column(UTCDateTime, nullable=False, default=utcnow)
    area_text = Column(Text, nullable=False)  # as announced, free text
    city = Column(String(50), nullable=False)
    county = Column(String(50))
    street = Column(String(50))
    community = Column(String(100))
    line = Column(String(100))  # 线路, e.g. "10kV 城东线"
    transformer_area = Column(String(100))  # 台区 as announced
    reason = Column(String(200), nullable=False)
    unit_id = Column(String(32), ForeignKey("units.id"), nullable=False, index=True)
    # As the record states it; NULL: counted from the accounts in the scope (backend/reliability.py).
    customers_interrupted = Column(Integer)

    scopes = relationship("OutageScope", back_populates="outage", cascade="all, delete-orphan")
    unit = relationship("Unit")


class OutageScope(Base):
    """One covered area; with a transformer area set, only that 台区 of the area is off."""

    __tablename__ = "outage_scopes"

    id = Column(Integer, primary_key=True)
    outage_id = Column(Integer, ForeignKey("outages.id", ondelete="CASCADE"), nullable=False, index=True)
    area_id = Column(Integer, ForeignKey("areas.id"), nullable=False, index=True)
    transformer_area = Column(String(50))

    outage = relationship("Outage", back_populates="scopes")
    area = relationship("Area")
