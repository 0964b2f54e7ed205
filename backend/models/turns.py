"""Customer turns of the web chat and WeChat: one row per (channel, sender, key),
holding the answer given.

A channel that may receive the same message twice (WeChat resends a message it
got no answer to within 5 s; a web page resends what it typed while its socket
was down) claims the row before acting, so exactly one request acts on the turn
(unique constraint); its answer is stored and every repeat gets that answer.
"""
from __future__ import annotations

from sqlalchemy import JSON, Column, Integer, String, UniqueConstraint

from .base import Base, UTCDateTime, utcnow


class CustomerTurn(Base):
    __tablename__ = "customer_turns"
    __table_args__ = (UniqueConstraint("channel", "sender", "turn_key"),)

    id = Column(Integer, primary_key=True)
    channel = Column(String(16), nullable=False)  # web | wechat
    sender = Column(String(128), nullable=False)  # the channel's customer: openid, web token hash
    turn_key = Column(String(128), nullable=False)  # MsgId, event key, the page's message id
    answer = Column(JSON(none_as_null=True))  # NULL while the turn is being answered
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
