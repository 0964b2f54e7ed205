"""/api/units (the unit tree) and /api/areas (served areas with their site class).

/api/areas?name= is the staff's search by part of a name. /api/areas?text= takes a
customer's words and answers with the areas the place resolver (backend/places.py,
the rule of /api/places/resolve) finds in them: the area, every area of a street or
county, or every candidate's areas when the words are ambiguous; nothing for words
too vague, unknown to the table or naming no place. `place` says what was resolved.
"""
from __future__ import annotations

from typing import Any

from aiohttp import web
from pydantic import BaseModel, Field, validator
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from backend.api import PLATFORM
from backend.api.registry import ApiRoutes
from backend.api.validation import json_response, read_query
from backend.context import Platform
from backend.models import Area
from backend.places import AMBIGUOUS, FOUND, Resolution
from backend.units import unit_tree
from glossary.names import SITE_CLASSES

routes = ApiRoutes("units")
MAX_AREAS = 50


class AreaQuery(BaseModel):
    name: str | None = Field(None, max_length=50, description="part of the area name")
    text: str | None = Field(None, max_length=200,
                             description="an address or sentence: the areas of the place it names "
                                         "(resolved like /api/places/resolve)")

    @validator("name", "text")
    def _name(cls, value: str | None) -> str | None:  # noqa: N805
        if value is None:
            return None
        return value.strip() or None


@routes.op("GET", "/api/units", "The unit tree (省 → 市 → 县 → 供电所), nested")
async def get_units(request: web.Request) -> web.Response:
    platform: Platform = request.app[PLATFORM]
    async with platform.sessions() as session:
        units, children = await unit_tree(session)

    def node(unit_id: str) -> dict[str, Any]:
        unit = units[unit_id]
        return {"id": unit.id, "name": unit.name, "level": unit.level,
                "children": [node(c) for c in children.get(unit_id, ())]}

    # A unit whose parent is missing is shown as a root rather than lost.
    roots = [u for u in units if units[u].parent_id is None or units[u].parent_id not in units]
    return json_response({"items": [node(u) for u in roots]})


def _resolved_ids(resolution: Resolution) -> list[int]:
    """The areas of the place found, or of every candidate in their order; at most MAX_AREAS + 1."""
    places = [resolution.place] if resolution.place else list(resolution.candidates)
    ids = list(dict.fromkeys(i for p in places for i in sorted(p.area_ids)))
    return ids[:MAX_AREAS + 1]


@routes.op("GET", "/api/areas", f"Areas by name (contains), or the areas of the place named in a text "
           f"(with `place`, the resolution); at most {MAX_AREAS}", query=AreaQuery)
async def get_areas(request: web.Request) -> web.Response:
    platform: Platform = request.app[PLATFORM]
    q = read_query(request, AreaQuery)
    resolution: Resolution | None = None
    async with platform.sessions() as session:
        if q.text:
            resolution = (await platform.places.index(session)).resolve(q.text)
            # `unknown` may carry the street it lies in (`within`): not an answer here.
            ids = _resolved_ids(resolution) if resolution.status in (FOUND, AMBIGUOUS) else []
            rows = (await session.scalars(select(Area).options(selectinload(Area.unit))
                                          .where(Area.id.in_(ids)))).all() if ids else []
            by_id = {a.id: a for a in rows}
            areas = [by_id[i] for i in ids if i in by_id]
        else:
            stmt = select(Area).options(selectinload(Area.unit))
            if q.name:
                stmt = stmt.where(Area.name.contains(q.name, autoescape=True))
            # Shortest names first: the closest match to what was typed comes first.
            stmt = stmt.order_by(func.length(Area.name), Area.id).limit(MAX_AREAS + 1)
            areas = list((await session.scalars(stmt)).all())
    items = [{
        "id": a.id, "name": a.name, "full_name": a.full_name, "city": a.city, "county": a.county,
        "street": a.street, "site_class": a.site_class,
        "site_class_name": SITE_CLASSES.get(a.site_class),
        "unit": {"id": a.unit.id, "name": a.unit.name},
    } for a in areas[:MAX_AREAS]]
    body: dict[str, Any] = {"items": items, "truncated": len(areas) > MAX_AREAS}
    if resolution is not None:
        body["place"] = resolution.view()
    return json_response(body)
