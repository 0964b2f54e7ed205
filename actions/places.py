"""Places named by the customer, as the backend's area table resolves them.

The area table is the authority (GET /api/places/resolve); DIET's `area` spans
are not used for lookups. This module gives the actions a typed view of the
answer and the one question to ask back when it is not a single place.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from actions.backend import BackendError, BackendUnavailable, backend
from actions.text import Both, phrase
from glossary.replies import places as replies

log = logging.getLogger(__name__)
FOUND, AMBIGUOUS, TOO_VAGUE, UNKNOWN, NONE = "found", "ambiguous", "too_vague", "unknown", "none"
MAX_CHOICES = 3


@dataclass(frozen=True)
class Place:
    level: str  # area | street | county
    name: str
    full_name: str
    county: str
    area_ids: tuple[int, ...]
    area_id: int | None = None
    site_class: str | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Place:
        return cls(level=data["level"], name=data["name"], full_name=data["full_name"],
                   county=data.get("county") or "", area_ids=tuple(data.get("area_ids") or ()),
                   area_id=data.get("area_id"), site_class=data.get("site_class"))

    @property
    def short_name(self) -> str:
        """'桐庐县迎春社区': enough to tell it from a namesake, short enough to say."""
        return self.name if self.level == "county" else f"{self.county}{self.name}"

    def to_slot(self) -> dict[str, Any]:
        return {"level": self.level, "name": self.name, "full_name": self.full_name, "county": self.county,
                "area_ids": list(self.area_ids), "area_id": self.area_id, "site_class": self.site_class}

    @classmethod
    def from_slot(cls, value: Any) -> Place | None:
        return cls.from_json(value) if isinstance(value, dict) and value.get("name") else None


@dataclass(frozen=True)
class Resolution:
    status: str
    mention: str = ""
    place: Place | None = None
    candidates: tuple[Place, ...] = field(default_factory=tuple)

    def question(self) -> Both:
        """What to ask back (text and spoken) when this is not exactly one place."""
        if self.status == AMBIGUOUS:
            names = [c.short_name for c in self.candidates[:MAX_CHOICES]]
            if len(names) == 1:
                return phrase(replies.IS_IT, name=names[0])
            text_or, spoken_or = replies.CHOICE_SEPARATOR
            return phrase(replies.WHICH_OF, mention=self.mention, count=len(self.candidates),
                          choices=Both(text_or.join(names), spoken_or.join(names)))
        if self.status == TOO_VAGUE:
            return phrase(replies.WHICH_ONE, kind=self.mention or phrase(replies.ANY_PLACE))
        if self.status == UNKNOWN:
            return phrase(replies.UNKNOWN_PLACE, mention=self.mention)
        return phrase(replies.ASK_PLACE)


async def resolve_place(text: str) -> Resolution | None:
    """The place(s) named in `text`; None when the backend cannot be asked."""
    text = (text or "").strip()
    if not text:
        return Resolution(NONE)
    try:
        found = await backend().get("/api/places/resolve", text=text[:200])
    except (BackendUnavailable, BackendError) as error:
        log.warning("place resolution failed: %s", error)
        return None
    place = found.get("place")
    return Resolution(status=found["status"], mention=found.get("mention") or "",
                      place=Place.from_json(place) if place else None,
                      candidates=tuple(Place.from_json(c) for c in found.get("candidates") or ()))
