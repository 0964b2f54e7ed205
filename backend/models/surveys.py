"""Satisfaction surveys (满意度问卷): offered when a chat ends or a ticket is closed, answered once.

A survey is written when it is offered (`offered_at`) and completed when the
customer answers (`rating`, optional `comment`, `answered_at`); an offer left
unanswered stays as it is, so the response rate can be read off the table.

- subject: "conversation" (one chat, from its start to its close) or "ticket"
  (a closed ticket); `ticket_id` is set for ticket surveys, `conversation_id`
  for chat surveys and for ticket surveys offered inside a conversation.
- unit_id: the unit whose indicator the answer feeds, fixed when it is offered:
  a ticket's handling unit, for a chat the unit of the chat's ticket, else the
  root unit (the contact centre answered it).
- rating: one of glossary.names.SURVEY_RATINGS (named in RATINGS); `comment` is stored masked.
- token_hash: the hash of the token in a survey link (a channel without a
  conversation, e.g. the complaint form); the token itself is never stored.
"""
from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Text

from .base import Base, UTCDateTime, utcnow

SURVEY_SUBJECTS = ("conversation", "ticket")


class Survey(Base):
    __tablename__ = "surveys"
    __table_args__ = (
        Index("ix_surveys_unit_answered", "unit_id", "answered_at"),
        Index("ix_surveys_conversation_offered", "conversation_id", "offered_at"),
    )

    id = Column(Integer, primary_key=True)
    subject = Column(String(16), nullable=False)
    ticket_id = Column(Integer, ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    conversation_id = Column(String(36), ForeignKey("conversations.id"))
    channel = Column(String(16), nullable=False)
    unit_id = Column(String(32), ForeignKey("units.id"), nullable=False)
    token_hash = Column(String(64), unique=True)
    offer_key = Column(String(80), unique=True)
    line_id = Column(Integer, ForeignKey("messages.id"))
    awaiting = Column(String(8))
    rating = Column(String(20))
    comment = Column(Text)
    offered_at = Column(UTCDateTime, nullable=False, default=utcnow)
    answered_at = Column(UTCDateTime)
