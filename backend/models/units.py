"""Handling units (市公司 → 县公司 → 供电所) and the areas they serve."""
from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, String
from sqlalchemy.orm import relationship

from glossary import names

from .base import Base

UNIT_LEVELS = ("province", "city", "county", "station")
SITE_CLASSES = tuple(names.SITE_CLASSES)  # codes; names in glossary.names
# What a place named by a customer can be, most specific first (backend/places.py).
PLACE_LEVELS = ("area", "street", "county")


class Unit(Base):
    __tablename__ = "units"

    id = Column(String(32), primary_key=True)  # operator's unit code, e.g. "3301"
    name = Column(String(100), nullable=False)
    level = Column(String(16), nullable=False)
    parent_id = Column(String(32), ForeignKey("units.id"), index=True)

    parent = relationship("Unit", remote_side=[id], back_populates="children")
    children = relationship("Unit", back_populates="parent")
    areas = relationship("Area", back_populates="unit")


class Area(Base):
    """A served area at community/village level; its site class drives repair clocks."""

    __tablename__ = "areas"

    id = Column(Integer, primary_key=True)
    name = Column(String(100), nullable=False, index=True)  # 社区 / 村 / 小区
    city = Column(String(50), nullable=False)
    county = Column(String(50), nullable=False)
    street = Column(String(50), nullable=False)  # 街道 / 镇 / 乡
    site_class = Column(String(8), nullable=False)
    unit_id = Column(String(32), ForeignKey("units.id"), nullable=False, index=True)

    unit = relationship("Unit", back_populates="areas")

    @property
    def full_name(self) -> str:
        return f"{self.city}{self.county}{self.street}{self.name}"


class PlaceAlias(Base):
    """Another name customers use for a place: an area (`area_id`), a street (街道/镇/乡:
    `city` + `county` + `street`) or a county (`city` + `county`).

    Names without their suffix (迎春 for 迎春社区) need no row: backend/places.py
    derives them where they are unambiguous. Rows are for what no rule derives:
    short or former names (千岛湖 for 千岛湖镇, 排岭 for it before 2001) and names
    that cover several places (丹城 for 丹东街道 and 丹西街道).
    """

    __tablename__ = "place_aliases"

    id = Column(Integer, primary_key=True)
    alias = Column(String(50), nullable=False, index=True)
    level = Column(String(8), nullable=False)  # PLACE_LEVELS
    area_id = Column(Integer, ForeignKey("areas.id", ondelete="CASCADE"), index=True)
    city = Column(String(50))
    county = Column(String(50))
    street = Column(String(50))

    area = relationship("Area")
