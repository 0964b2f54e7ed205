"""Staff users of the console and their login sessions."""
from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String

from .base import Base, UTCDateTime, utcnow

STAFF_ROLES = ("agent", "supervisor", "admin")


class StaffUser(Base):
    __tablename__ = "staff_users"

    id = Column(Integer, primary_key=True)
    username = Column(String(50), nullable=False, unique=True)
    display_name = Column(String(50), nullable=False)
    password_hash = Column(String(200), nullable=False)  # argon2id
    role = Column(String(16), nullable=False)
    unit_id = Column(String(32), ForeignKey("units.id"), nullable=False)
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)


class StaffSession(Base):
    """A console login. Only a hash of the cookie token is stored."""

    __tablename__ = "staff_sessions"

    id = Column(Integer, primary_key=True)
    token_hash = Column(String(64), nullable=False, unique=True)
    user_id = Column(Integer, ForeignKey("staff_users.id"), nullable=False, index=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    expires_at = Column(UTCDateTime, nullable=False)
    last_seen_at = Column(UTCDateTime)  # the last request made with it: idle sessions end
