"""The audit log: who did what to which record, when, from where and why.

One row per act a supervisor or an inspector may have to account for later:
conversation takeovers and agents' lines, ticket steps, outage notices and
their status changes, staff logins (never the password), reveals of masked
data. Rows are only ever added (backend/audit.py); nothing updates or deletes
them.

- actor: Principal.actor ("staff:<username>", "service", "anonymous");
- action: "<thing>.<verb>", e.g. ticket.dispatch, conversation.claim, login.failure;
- target_type / target_id: the record (ticket number, outage id, conversation id,
  the username a login tried);
- unit_id: the unit the record belongs to, or the acting staff member's unit for
  records without one (conversations, logins): what a supervisor's view is
  narrowed by;
- client: a short hash of the caller's address (not the address itself), which
  the login throttle counts by;
- details: small JSON facts (a step's target unit, a line's length), never free
  text a customer wrote.
"""
from __future__ import annotations

from sqlalchemy import JSON, Column, Index, Integer, String

from .base import Base, UTCDateTime


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_at", "at"),
        Index("ix_audit_log_actor_at", "actor", "at"),
        Index("ix_audit_log_action_target", "action", "target_id", "at"),
        Index("ix_audit_log_action_client", "action", "client", "at"),
    )

    id = Column(Integer, primary_key=True)
    at = Column(UTCDateTime, nullable=False)
    actor = Column(String(64), nullable=False)
    action = Column(String(48), nullable=False)
    target_type = Column(String(32), nullable=False)
    target_id = Column(String(64), nullable=False)
    unit_id = Column(String(32))
    reason = Column(String(500))
    client = Column(String(16))
    details = Column(JSON(none_as_null=True))
