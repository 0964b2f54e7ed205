"""Customer conversations on every channel and their transcripts."""
from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import relationship

from .base import Base, UTCDateTime, utcnow

CHANNELS = ("web", "wechat", "ivr", "form", "phone", "console")
CONVERSATION_STATES = ("bot", "waiting_agent", "agent", "closed")
SENDERS = ("customer", "bot", "agent", "system")


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (
        UniqueConstraint("channel", "external_id"),
        Index("ix_conversations_state_updated", "state", "updated_at"),
    )

    id = Column(String(36), primary_key=True)  # uuid4, also Rasa's sender id
    channel = Column(String(16), nullable=False)
    external_id = Column(String(128), nullable=False)  # WeChat openid, IVR call id, web session
    state = Column(String(16), nullable=False, default="bot")
    handoff_reason = Column(String(200))
    agent_id = Column(Integer, ForeignKey("staff_users.id"))
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow)

    messages = relationship("Message", back_populates="conversation", order_by="Message.seq")


class Message(Base):
    """One transcript line, stored already masked (PIPL: transcripts keep no raw identifiers)."""

    __tablename__ = "messages"
    __table_args__ = (UniqueConstraint("conversation_id", "seq"),)

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(36), ForeignKey("conversations.id"), nullable=False)
    seq = Column(Integer, nullable=False)
    sender = Column(String(16), nullable=False)
    text = Column(Text, nullable=False)
    intent = Column(String(50))
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)

    conversation = relationship("Conversation", back_populates="messages")
