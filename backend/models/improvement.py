"""Improvement plans (整改计划): a problem seen on an indicator, turned into tracked work.

Terms:
- plan_no: the plan's number, `glossary.identifiers.plan_number` (ZG + local
  creation date + the row id's last 6 digits), set right after insert.
- indicator: the code of the assessment indicator the plan should move (a key
  of backend.kpi's RATIOS or COUNTS; its Chinese name in console.wording.INDICATORS).
- unit_id, period_from/period_to: where and when the problem was seen (the
  dashboard's unit and month, days inclusive).
- baseline_*: the indicator over that unit and period when the plan was made
  (value, and for a ratio its numerator and denominator; floats because an
  indicator may count customer-hours), so the plan says what it starts from.
- target_op/target_value: the value the indicator should reach, e.g. "<=" 2
  for overdue_count, ">=" 0.95 for satisfaction (a ratio is stored as a
  fraction, shown as a percentage).
- responsible_unit_id: the unit that carries the measures out (in the
  creator's subtree).
- status: one of glossary.names.PLAN_STATUSES' stored codes (in_progress,
  completed, withdrawn). 已逾期 is not stored: a plan in progress past its
  due_date is shown as overdue, so the word never lags behind the calendar.
- completion_*: the note, and the indicator of the responsible unit over
  [completion_from, completion_to] as backend.api.kpi.report computed it
  when the plan was completed (value null when its denominator was 0).
  completion_from/to: the month of the completion up to its day, the period
  the measures had effect in (the problem's own period keeps its tickets'
  history, e.g. an overdue count never falls).
- problem, measures, notes and reasons are stored masked (backend.privacy).
"""
from __future__ import annotations

from sqlalchemy import Column, Date, Float, ForeignKey, Index, Integer, String, Text

from .base import Base, UTCDateTime, utcnow


class ImprovementPlan(Base):
    __tablename__ = "improvement_plans"
    __table_args__ = (
        Index("ix_improvement_plans_responsible_status", "responsible_unit_id", "status"),
        Index("ix_improvement_plans_unit_indicator", "unit_id", "indicator"),
    )

    id = Column(Integer, primary_key=True)
    plan_no = Column(String(24), unique=True)  # set right after insert, from the id
    indicator = Column(String(40), nullable=False)
    unit_id = Column(String(32), ForeignKey("units.id"), nullable=False)
    period_from = Column(Date, nullable=False)
    period_to = Column(Date, nullable=False)
    problem = Column(Text, nullable=False)
    baseline_value = Column(Float)
    baseline_numerator = Column(Float)
    baseline_denominator = Column(Float)
    target_op = Column(String(2), nullable=False)
    target_value = Column(Float, nullable=False)
    measures = Column(Text, nullable=False)
    responsible_unit_id = Column(String(32), ForeignKey("units.id"), nullable=False)
    due_date = Column(Date, nullable=False)
    status = Column(String(16), nullable=False, default="in_progress")
    created_by = Column(Integer, ForeignKey("staff_users.id"), nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow)
    completed_at = Column(UTCDateTime)
    completed_by = Column(Integer, ForeignKey("staff_users.id"))
    completion_note = Column(Text)
    completion_value = Column(Float)
    completion_numerator = Column(Float)
    completion_denominator = Column(Float)
    completion_from = Column(Date)
    completion_to = Column(Date)
    withdrawn_at = Column(UTCDateTime)
    withdrawn_by = Column(Integer, ForeignKey("staff_users.id"))
    withdraw_reason = Column(Text)


class ImprovementProgress(Base):
    """One progress entry of a plan: who wrote what, when."""

    __tablename__ = "improvement_progress"

    id = Column(Integer, primary_key=True)
    plan_id = Column(Integer, ForeignKey("improvement_plans.id", ondelete="CASCADE"), nullable=False,
                     index=True)
    author_id = Column(Integer, ForeignKey("staff_users.id"), nullable=False)
    note = Column(Text, nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
