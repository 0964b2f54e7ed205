"""Work orders (工单), their deadlines and their event history."""
from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import relationship

from glossary import names

from .base import Base, UTCDateTime, utcnow

RUNNING = "met_at IS NULL AND cancelled_at IS NULL"

# The codes; their names are in glossary.names.
TICKET_TYPES = tuple(names.TICKET_TYPES)
SERVICE_REQUEST_KINDS = tuple(names.SERVICE_REQUEST_KINDS)
COMPLAINT_CLASSES = tuple(names.COMPLAINT_CLASSES)
COMPLAINT_GRADES = tuple(names.COMPLAINT_GRADES)
TICKET_STATUSES = tuple(names.TICKET_STATUSES)
RATINGS = tuple(names.RATINGS)


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_unit_created", "unit_id", "created_at"),
        Index("ix_tickets_type_status", "type", "status"),
    )

    id = Column(Integer, primary_key=True)
    ticket_no = Column(String(24), unique=True)  # set right after insert, from the id
    type = Column(String(20), nullable=False)
    subtype = Column(String(24))  # service_request kind
    status = Column(String(16), nullable=False, default="accepted")
    channel = Column(String(16), nullable=False)
    description = Column(Text, nullable=False)
    customer_name = Column(String(50))
    customer_phone = Column(String(20), index=True)
    account_no = Column(String(13), index=True)
    address = Column(String(200))
    area_id = Column(Integer, ForeignKey("areas.id"))
    site_class = Column(String(8))
    unit_id = Column(String(32), ForeignKey("units.id"), nullable=False)
    # No foreign key: a bot conversation may live only in Rasa's tracker store
    # (its sender id) when the ticket is written.
    conversation_id = Column(String(64), index=True)
    parent_id = Column(Integer, ForeignKey("tickets.id"), index=True)

    # complaint specifics
    complaint_class = Column(String(20))
    grade = Column(String(12))
    escalation_intent = Column(Boolean, nullable=False, default=False)
    escalation_keywords = Column(String(200))
    escalated_at = Column(UTCDateTime)
    is_repeat = Column(Boolean, nullable=False, default=False)
    anonymous = Column(Boolean, nullable=False, default=False)
    confidential = Column(Boolean, nullable=False, default=False)

    safety_hazard = Column(Boolean, nullable=False, default=False)
    # The place was not matched to an area: a person picks the handling unit (首问负责).
    needs_manual_dispatch = Column(Boolean, nullable=False, default=False, server_default=false())
    rating = Column(String(20))
    callback_attempts = Column(Integer, nullable=False, default=0)
    reopen_count = Column(Integer, nullable=False, default=0)
    urge_count = Column(Integer, nullable=False, default=0)

    idempotency_key = Column(String(100), unique=True)
    request_hash = Column(String(64))
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)  # = accepted (受理)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow)
    closed_at = Column(UTCDateTime)
    # Optimistic lock: two steps racing on one ticket cannot both apply to a stale state.
    version = Column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    deadlines = relationship(
        "TicketDeadline", back_populates="ticket", order_by="TicketDeadline.id",
        cascade="all, delete-orphan",
    )
    events = relationship(
        "TicketEvent", back_populates="ticket", order_by="TicketEvent.id",
        cascade="all, delete-orphan",
    )
    unit = relationship("Unit")
    area = relationship("Area")
    parent = relationship("Ticket", remote_side=[id])


class TicketDeadline(Base):
    """One running clock. `next_check_at` is the only column the scheduler scans:

    it holds the next instant the clock needs attention (its warning, then its
    due time) and becomes NULL once the clock is met or breached, so the
    indexed sweep never touches finished tickets however many pile up.
    """

    __tablename__ = "ticket_deadlines"
    __table_args__ = (
        UniqueConstraint("ticket_id", "name", "round"),
        # The clocks still running (the metrics' warning and overdue counts): a partial index keeps
        # that count to the open work, not the archive of met clocks.
        Index("ix_ticket_deadlines_running", "ticket_id", sqlite_where=text(RUNNING),
              postgresql_where=text(RUNNING)),
    )

    id = Column(Integer, primary_key=True)
    ticket_id = Column(Integer, ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False, index=True)
    name = Column(String(24), nullable=False)
    round = Column(Integer, nullable=False, default=1)  # rework after dissatisfaction starts round 2
    limit = Column(String(12), nullable=False)  # the SLA entry it came from, e.g. "5wd"
    starts = Column(String(16), nullable=False)  # lifecycle step that starts the clock
    met_by = Column(String(16), nullable=False)  # lifecycle step that stops it
    started_at = Column(UTCDateTime, nullable=False)
    due_at = Column(UTCDateTime, nullable=False)
    warn_at = Column(UTCDateTime, nullable=False)
    provisional = Column(Boolean, nullable=False, default=False)  # restore before arrival
    met_at = Column(UTCDateTime)
    warned_at = Column(UTCDateTime)
    breached_at = Column(UTCDateTime)
    cancelled_at = Column(UTCDateTime)
    next_check_at = Column(UTCDateTime, index=True)

    ticket = relationship("Ticket", back_populates="deadlines")

    @property
    def state(self) -> str:
        if self.cancelled_at is not None:
            return "cancelled"
        if self.met_at is not None:
            return "met_late" if self.breached_at is not None else "met"
        if self.breached_at is not None:
            return "overdue"
        if self.warned_at is not None:
            return "warning"
        return "running"


class TicketEvent(Base):
    __tablename__ = "ticket_events"
    __table_args__ = (UniqueConstraint("ticket_id", "idempotency_key"),)

    id = Column(Integer, primary_key=True)
    ticket_id = Column(Integer, ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False, index=True)
    kind = Column(String(20), nullable=False)
    actor = Column(String(60), nullable=False)  # "system", "service", "staff:<username>"
    note = Column(Text)
    data = Column(JSON, nullable=False, default=dict)
    idempotency_key = Column(String(100))
    request_hash = Column(String(64))  # of the step's body: the same key with another body is refused
    # The customer message (or staff request) that caused it: backend/observability/request_ids.py.
    request_id = Column(String(64), index=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)

    ticket = relationship("Ticket", back_populates="events")
