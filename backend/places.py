"""Places named in a customer's words, resolved against the area table.

The area table is the authority for places; the assistant's NLU spans are not.

Terms:
- place: an *area* (a row of the area table: 社区, 村, 小区), a *street* (街道/镇/乡:
  every area sharing city + county + street) or a *county* (every area sharing
  city + county). A city is only used to narrow; alone it is too vague.
- term: a word of the index that names places: a place's *name* as in the table
  (迎春社区, 千岛湖镇, 淳安县), an *alias* from place_aliases (千岛湖, 丹城), or a
  *stem*, the name without its suffix (迎春, 淳安). A stem is indexed only when
  it names one place, or one place and places inside it (分水 is 分水镇, which
  contains 分水社区); it never counts when a place suffix follows it in the
  text (迎春小区 and 迎春路 are not 迎春社区). A stem of two characters is often an
  everyday word too (复兴, 城中, 联盟): it counts only with place context
  (said on its own, next to another place word, or beside words of location or
  supply: 联盟, 景宁复兴, 在复兴, 复兴那边, 复兴今天停电吗; not 复兴一下), see
  backend/place_words.py.
- mention: the customer's words that named the place.

How a text is resolved (`PlaceIndex.resolve`):
1. Full-width characters are folded and Traditional turned into Simplified
   (OpenCC t2s), keeping every position, so the mention is the customer's words.
2. Every term in the text is found; a term inside a longer one found there
   (千岛湖 inside 千岛湖镇) is dropped, and so is a bare two-character stem
   without place context.
3. The most specific level named wins (area, then street, then county); every
   other term narrows its candidates to those inside it, if any are
   (桐庐的迎春社区, 迎春社区 桐庐县, 桐君街道迎春社区).
4. One candidate: `found`. Several: `ambiguous`, with the first
   `MAX_CANDIDATES` by full name.
5. Words that look like a place (2-8 characters of name before 小区, 社区, 村,
   花园, 苑, 新村, 家园, 公寓, 街道, 镇, 乡, 路, 街 …) but are not in the table:
   `unknown`, with the mention. They also win over a found place that is less
   specific than they are: 桐君街道幸福里小区 is `unknown`, and `within` is
   桐君街道, the place it lies in (intake routes the ticket there).
6. A suffix without a name (我们社区, 村里, 小区) or only a city: `too_vague`, the
   mention being the suffix (社区, 村) or the city, so "哪个社区？" can be asked.
   Nothing place-like: `none`.

`PlaceDirectory` keeps the index in memory for every request and rebuilds it
when the tables change: writers in this process call `invalidate()`, and a
cheap fingerprint query (row counts, highest ids, total name lengths) runs at
most every `places.index_recheck_seconds` (service_rules.yml) for writers
elsewhere. The age of a cache is not business time, so it uses the monotonic
clock rather than the platform's.
"""
from __future__ import annotations

import asyncio
import functools
import logging
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.models import Area, PlaceAlias, Unit
from backend.place_words import MIN_NAME, PLACE_SUFFIX, SHORT_STEM, counted_terms, place_like

log = logging.getLogger(__name__)

FOUND, AMBIGUOUS, TOO_VAGUE, UNKNOWN, NONE = "found", "ambiguous", "too_vague", "unknown", "none"
MAX_CANDIDATES = 5
# Levels from the most specific; a city only narrows.
RANK = {"area": 0, "road": 0, "street": 1, "county": 2, "city": 3}
NAME, ALIAS, STEM = "name", "alias", "stem"

# Suffixes taken off a name to make its stem, longest first.
_STEM_SUFFIXES = {
    "area": ("社区居委会", "居委会", "村委会", "社区", "小区", "新村", "花园", "家园", "公寓", "村", "苑"),
    "street": ("街道办事处", "街道", "镇", "乡"),
    "county": ("畲族自治县", "自治县", "县", "市", "区"),
    "city": ("自治州", "地区", "市", "盟"),
}
@functools.lru_cache(maxsize=1)
def _t2s():  # noqa: ANN202 - opencc ships no usable type for the instance
    import opencc

    return opencc.OpenCC("t2s")


def normalise(text: str) -> str:
    """Full-width ASCII folded, Traditional → Simplified; every position kept."""
    folded = "".join(unicodedata.normalize("NFKC", c) if "\uff01" <= c <= "\uff5e" or c == "\u3000" else c
                     for c in text)
    converted = _t2s().convert(folded)
    if len(converted) == len(folded):
        return converted
    return "".join(out if len(out := _t2s().convert(c)) == 1 else c for c in folded)


@dataclass(frozen=True)
class Place:
    level: str  # area | street | county | city
    name: str
    city: str
    county: str | None
    street: str | None
    area_id: int | None
    area_ids: frozenset[int]
    site_class: str | None
    unit_id: str | None
    unit_name: str | None

    @property
    def key(self) -> tuple[Any, ...]:
        return (self.level, self.area_id) if self.level == "area" else (self.level, self.city, self.county,
                                                                         self.street)

    @property
    def full_name(self) -> str:
        names = (self.city, self.county, self.street, self.name if self.level == "area" else None)
        return "".join(n for n in names if n)

    def contains(self, other: Place) -> bool:
        return RANK[self.level] > RANK[other.level] and other.area_ids <= self.area_ids

    def view(self) -> dict[str, Any]:
        return {
            "level": self.level, "name": self.name, "full_name": self.full_name, "city": self.city,
            "county": self.county, "street": self.street, "area_id": self.area_id,
            "area_ids": sorted(self.area_ids), "site_class": self.site_class,
            "unit": {"id": self.unit_id, "name": self.unit_name} if self.unit_id else None,
        }


@dataclass(frozen=True)
class Resolution:
    status: str
    mention: str | None = None
    place: Place | None = None
    candidates: tuple[Place, ...] = ()
    # `unknown` only: the found place the unknown one lies in (its street or county).
    within: Place | None = None

    @property
    def area_ids(self) -> list[int]:
        """Every area the text may mean: the place's, or all candidates' when ambiguous."""
        places = [self.place] if self.place else list(self.candidates)
        return sorted({i for p in places if p for i in p.area_ids})

    def view(self) -> dict[str, Any]:
        return {
            "status": self.status, "mention": self.mention,
            "place": self.place.view() if self.place else None,
            "candidates": [c.view() for c in self.candidates[:MAX_CANDIDATES]],
            "within": self.within.view() if self.within else None,
        }


@dataclass(frozen=True)
class _Match:
    start: int
    end: int
    places: tuple[Place, ...]


@dataclass(frozen=True)
class AliasRow:
    alias: str
    level: str
    area_id: int | None
    city: str | None
    county: str | None
    street: str | None


@dataclass
class PlaceIndex:
    """Every term of the area table and its aliases, for resolving text in memory."""

    areas: list[Area]
    aliases: list[AliasRow] = field(default_factory=list)
    units: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # id -> (name, parent id)

    def __post_init__(self) -> None:
        self.places: dict[tuple[Any, ...], Place] = {}
        self.terms: dict[str, dict[tuple[Any, ...], str]] = defaultdict(dict)
        self._build()
        self.first_chars = {t[0] for t in self.terms}
        self.longest = max((len(t) for t in self.terms), default=0)

    # --- building ---------------------------------------------------------------

    def _build(self) -> None:
        groups: dict[tuple[Any, ...], list[Area]] = defaultdict(list)
        for area in self.areas:
            place = Place("area", area.name, area.city, area.county, area.street, area.id,
                          frozenset({area.id}), area.site_class, area.unit_id, self._unit_name(area.unit_id))
            self._add(place, place.name, NAME)
            groups[("street", area.city, area.county, area.street)].append(area)
            groups[("county", area.city, area.county, None)].append(area)
            groups[("city", area.city, None, None)].append(area)
        for (level, city, county, street), members in groups.items():
            unit = self._common_unit({a.unit_id for a in members})
            name = {"street": street, "county": county, "city": city}[level]
            place = Place(level, name, city, county, street, None, frozenset(a.id for a in members), None,
                          unit, self._unit_name(unit))
            self._add(place, name, NAME)
        for row in self.aliases:
            targets = [p for p in self.places.values() if _alias_targets(row, p)]
            if not targets:
                log.warning("place alias %r names no place of the area table", row.alias)
            for place in targets:
                self._add(place, row.alias, ALIAS)
        self._add_stems()

    def _add(self, place: Place, term: str, kind: str) -> None:
        self.places.setdefault(place.key, place)
        self.terms[term].setdefault(place.key, kind)

    def _add_stems(self) -> None:
        stems: dict[str, list[Place]] = defaultdict(list)
        for place in self.places.values():
            stem = _stem(place)
            if stem:
                stems[stem].append(place)
        for stem, places in stems.items():
            if stem in self.terms:  # a name or an alias already
                continue
            covers = [p for p in places if all(p is q or p.contains(q) for q in places)]
            if len(covers) == 1:
                self._add(covers[0], stem, STEM)
                if covers[0].level == "county" and covers[0].name.endswith("自治县"):
                    self._add(covers[0], stem + "县", STEM)  # 景宁县 for 景宁畲族自治县

    def _unit_name(self, unit_id: str | None) -> str | None:
        return self.units[unit_id][0] if unit_id in self.units else None

    def _common_unit(self, unit_ids: set[str]) -> str | None:
        """The lowest unit above (or equal to) all of them."""
        chains = []
        for unit_id in unit_ids:
            chain, current = [], unit_id
            while current is not None and current not in chain:
                chain.append(current)
                current = self.units.get(current, (None, None))[1]
            chains.append(chain)
        if not chains:
            return None
        shared = set(chains[0]).intersection(*chains[1:])
        return next((u for u in chains[0] if u in shared), None)

    # --- resolving --------------------------------------------------------------

    def area_place(self, area_id: int) -> Place | None:
        return self.places.get(("area", area_id))

    def common_unit(self, places: Iterable[Place]) -> str | None:
        return self._common_unit({p.unit_id for p in places if p.unit_id})

    def resolve(self, text: str) -> Resolution:
        """What place `text` names (see the module docstring for the steps)."""
        norm = normalise(text)
        original = text if len(text) == len(norm) else norm
        matches = self._matches(norm)
        mentions = place_like(norm, [(m.start, m.end) for m in matches])
        unknown = [(start, end, level) for start, end, level in mentions if level != "vague"]
        vague = [(start, end) for start, end, level in mentions if level == "vague"]
        places = [p for m in matches for p in m.places if p.level != "city"]
        if not places:
            if unknown:
                start, end, _ = unknown[0]
                return Resolution(UNKNOWN, original[start:end])
            if vague or matches:
                start, end = vague[0] if vague else (matches[0].start, matches[0].end)
                return Resolution(TOO_VAGUE, original[start:end])
            return Resolution(NONE)
        rank = min(RANK[p.level] for p in places)
        primary = [m for m in matches if any(RANK[p.level] == rank for p in m.places)]
        candidates = list({p.key: p for m in primary for p in m.places if RANK[p.level] == rank}.values())
        for match in matches:
            wider = [p for p in match.places if RANK[p.level] > rank]
            inside = [c for c in candidates if any(w.contains(c) for w in wider)]
            if inside:
                candidates = inside
        mention = original[primary[0].start:primary[0].end]
        if len(candidates) > 1:
            ordered = tuple(sorted(candidates, key=lambda p: (p.full_name, p.area_id or 0)))
            return Resolution(AMBIGUOUS, mention, candidates=ordered)
        found = candidates[0]
        finer = [(s, e) for s, e, level in unknown if RANK[level] < RANK[found.level]]
        if finer:
            start, end = finer[0]
            return Resolution(UNKNOWN, original[start:end], within=found)
        return Resolution(FOUND, mention, place=found)

    def _matches(self, text: str) -> list[_Match]:
        found: list[tuple[int, int, str]] = []
        for i, char in enumerate(text):
            if char not in self.first_chars:
                continue
            for length in range(min(self.longest, len(text) - i), 0, -1):
                term = text[i:i + length]
                if term in self.terms:
                    found.append((i, i + length, term))
        accepted: list[tuple[_Match, bool]] = []  # (match, a bare two-character stem)
        for start, end, term in sorted(found, key=lambda f: (f[0] - f[1], f[0])):
            if any(start < m.end and m.start < end for m, _ in accepted):
                continue
            followed_by_suffix = PLACE_SUFFIX.match(text, end) is not None
            kinds = {k: kind for k, kind in self.terms[term].items() if kind != STEM or not followed_by_suffix}
            if kinds:
                short = len(term) <= SHORT_STEM and set(kinds.values()) == {STEM}
                accepted.append((_Match(start, end, tuple(self.places[k] for k in kinds)), short))
        accepted.sort(key=lambda a: a[0].start)
        spans, shorts = [(m.start, m.end) for m, _ in accepted], [short for _, short in accepted]
        if not any(shorts):
            return [m for m, _ in accepted]
        # Unknown places count as neighbours too (桐庐幸福里小区: the address is in 桐庐县).
        named = [(start, end) for start, end, level in place_like(text, spans) if level != "vague"]
        counts = counted_terms(text, spans, shorts, named)
        return [m for (m, _), counted in zip(accepted, counts, strict=True) if counted]


def _alias_targets(row: AliasRow, place: Place) -> bool:
    if row.level != place.level:
        return False
    if row.level == "area":
        return place.area_id == row.area_id
    return (place.county == row.county and (row.city is None or place.city == row.city)
            and (row.level == "county" or place.street == row.street))


def _stem(place: Place) -> str | None:
    for suffix in _STEM_SUFFIXES[place.level]:
        if place.name.endswith(suffix) and len(place.name) - len(suffix) >= MIN_NAME:
            return place.name[: -len(suffix)]
    return None


# --- the cache ----------------------------------------------------------------------

async def load_index(session: AsyncSession) -> PlaceIndex:
    areas = list((await session.scalars(select(Area).order_by(Area.id))).all())
    aliases = [AliasRow(a.alias, a.level, a.area_id, a.city, a.county, a.street)
               for a in (await session.scalars(select(PlaceAlias).order_by(PlaceAlias.id))).all()]
    units = {u.id: (u.name, u.parent_id) for u in (await session.execute(
        select(Unit.id, Unit.name, Unit.parent_id))).all()}
    # About a second for a province of 30,000 areas: off the event loop.
    return await asyncio.to_thread(PlaceIndex, areas, aliases, units)


async def fingerprint(session: AsyncSession) -> tuple[Any, ...]:
    """Cheap to compute; changes whenever an area, alias or unit is added, removed or renamed
    to a name of another length (a same-length rename waits for `max age`)."""
    area = (await session.execute(select(
        func.count(Area.id), func.max(Area.id),
        func.sum(func.length(Area.name) + func.length(Area.street) + func.length(Area.county)
                 + func.length(Area.city) + func.length(Area.unit_id) + func.length(Area.site_class))))).one()
    alias = (await session.execute(select(
        func.count(PlaceAlias.id), func.max(PlaceAlias.id), func.sum(func.length(PlaceAlias.alias))))).one()
    unit = (await session.execute(select(func.count(Unit.id), func.sum(func.length(Unit.name))))).one()
    return (*area, *alias, *unit)


class PlaceDirectory:
    """The place index of one database, kept in memory and rebuilt when the tables change."""

    # Rebuilt at least this often even when the fingerprint is unchanged.
    MAX_AGE_CHECKS = 60

    def __init__(self, recheck_seconds: float, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.recheck_seconds = recheck_seconds
        self._monotonic = monotonic
        self._index: PlaceIndex | None = None
        self._version: tuple[Any, ...] | None = None
        self._checked_at = float("-inf")
        self._checks = 0
        self._lock = asyncio.Lock()

    def invalidate(self) -> None:
        """Rebuild on the next use (for writers of areas, aliases or units in this process)."""
        self._index = None

    async def index(self, session: AsyncSession) -> PlaceIndex:
        """The current index; at most one fingerprint query every `recheck_seconds`."""
        if self._index is not None and self._monotonic() - self._checked_at < self.recheck_seconds:
            return self._index
        async with self._lock:
            if self._index is not None and self._monotonic() - self._checked_at < self.recheck_seconds:
                return self._index
            version = await fingerprint(session)
            self._checks += 1
            if self._index is None or version != self._version or self._checks >= self.MAX_AGE_CHECKS:
                self._index = await load_index(session)
                self._version, self._checks = version, 0
            self._checked_at = self._monotonic()
            return self._index
