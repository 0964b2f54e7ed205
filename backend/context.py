"""What every request handler and background task shares, built once at start."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import sessionmaker

from backend.models.base import utcnow
from backend.places import PlaceDirectory
from backend.rules import ServiceRules, load_rules
from backend.settings import Settings
from backend.sla.calendar import WorkCalendar


@dataclass
class Platform:
    settings: Settings
    rules: ServiceRules
    calendar: WorkCalendar
    engine: AsyncEngine
    sessions: sessionmaker
    # Injected so tests can run the clocks at a chosen instant.
    clock: Callable[[], datetime] = utcnow
    # The area table in memory, for resolving places on every turn (backend/places.py).
    places: PlaceDirectory = field(default_factory=lambda: PlaceDirectory(recheck_seconds=0))

    @classmethod
    def build(cls, settings: Settings, engine: AsyncEngine, sessions: sessionmaker) -> Platform:
        rules = load_rules(settings.service_rules)
        return cls(
            settings=settings,
            rules=rules,
            calendar=WorkCalendar(settings.holiday_dir),
            engine=engine,
            sessions=sessions,
            places=PlaceDirectory(rules.place_index_recheck_seconds),
        )
