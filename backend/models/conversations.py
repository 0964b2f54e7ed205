"""Customer conversations on every channel and their transcripts."""
from __future__ import annotations

from sqlalchemy import Boolean, Column, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
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
    # Who holds it in state agent: Principal.actor ("staff:agent1", or "service" for the service token).
    held_by = Column(String(60))
    waiting_since = Column(UTCDateTime)  # entered the agents' queue; its order (backend/router)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow)

    messages = relationship("Message", back_populates="conversation", order_by="Message.seq")


class Message(Base):
    """One transcript line, stored already masked (PIPL: transcripts keep no raw identifiers)."""

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("conversation_id", "seq"),
        Index("ix_messages_pending", "conversation_id", "awaiting_delivery"),
        # All lines awaiting delivery, oldest first (the metrics and /healthz), without a scan.
        Index("ix_messages_awaiting_created", "awaiting_delivery", "created_at"),
    )

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(36), ForeignKey("conversations.id"), nullable=False)
    seq = Column(Integer, nullable=False)
    sender = Column(String(16), nullable=False)
    text = Column(Text, nullable=False)
    intent = Column(String(50))  # customer lines: what the assistant understood, and how sure it was
    confidence = Column(Float)
    actor = Column(String(60))  # agent and system lines: who caused them (Principal.actor)
    # A line for the customer that the channel has not delivered yet (backend/router/delivery.py).
    awaiting_delivery = Column(Boolean, nullable=False, default=False, server_default=false())
    delivered_at = Column(UTCDateTime)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    # A customer's line: the id of their message (backend/observability/request_ids.py).
    request_id = Column(String(64), index=True)

    conversation = relationship("Conversation", back_populates="messages")
