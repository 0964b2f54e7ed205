"""Published monthly assessments (定期公布考核结果): a frozen copy of the assessment table of a month.

The live figures (backend/kpi.py) of a past month still move while its tickets
are being worked; a publication is the act that fixes them. Each row of this
table is one version of one month's publication and is never changed afterwards.

Terms:
- month: the assessed calendar month, "YYYY-MM" (Asia/Shanghai).
- version: 1 for the first publication of the month; a correction (更正) is a
  new row with the next version and a reason, and the earlier versions stay
  readable. The latest version is the month's published result.
- root_unit_id: the top of the tree the table covers (the province).
- indicators: the indicator keys the table holds, in the order shown; a later
  release may know more (or other) indicators, so a version is always shown
  from its own keys.
- rows: one entry per unit of the tree, in tree order (a parent before its
  children): {"unit": {id, name, level}, "parent": id or null, "depth": n,
  "indicators": {key: count or {numerator, denominator, ratio}}}, the values
  exactly as GET /api/kpi answered them for that unit and month at published_at.
- published_by: the publisher's actor ("staff:<username>"); publisher_name:
  their display name at the time.
- reason: why a correction was published (null for version 1), stored masked.
"""
from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, Integer, String, UniqueConstraint

from .base import Base, UTCDateTime


class PublishedAssessment(Base):
    __tablename__ = "published_assessments"
    __table_args__ = (UniqueConstraint("month", "version", name="uq_published_assessments_month_version"),)

    id = Column(Integer, primary_key=True)
    month = Column(String(7), nullable=False)
    version = Column(Integer, nullable=False)
    root_unit_id = Column(String(32), ForeignKey("units.id"), nullable=False)
    published_at = Column(UTCDateTime, nullable=False)
    published_by = Column(String(64), nullable=False)
    publisher_name = Column(String(100), nullable=False)
    reason = Column(String(500))
    indicators = Column(JSON, nullable=False)
    rows = Column(JSON, nullable=False)
