"""The hotline IVR's turns: one row per (call_id, seq), holding the answer given.

The row is claimed (inserted with no answer yet) before the turn acts, so of two
concurrent posts of the same turn exactly one acts (unique constraint); the
answer is stored when the turn is done and every repeat of the turn gets it.
The rows of a call are also its memory between turns: the silent turns in a row
(no_input) are counted from them.
"""
from __future__ import annotations

from sqlalchemy import JSON, Column, Integer, String, UniqueConstraint

from .base import Base, UTCDateTime, utcnow


class IvrTurn(Base):
    __tablename__ = "ivr_turns"
    __table_args__ = (UniqueConstraint("call_id", "seq"),)

    id = Column(Integer, primary_key=True)
    call_id = Column(String(128), nullable=False)
    seq = Column(Integer, nullable=False)
    event = Column(String(16), nullable=False)  # start | text | dtmf | no_input | hangup
    answer = Column(JSON(none_as_null=True))  # {"actions": [...]}; NULL while the turn is being answered
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
