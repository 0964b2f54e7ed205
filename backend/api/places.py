"""/api/places/resolve: the place a customer's words name, as the area table knows it.

The assistant's actions call it on every turn that may name a place, and use
the answer's `area_id`/`area_ids` from then on (never the free text). The
statuses, the levels and the matching rules are defined in backend/places.py.
"""
from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, Field, validator

from backend.api import PLATFORM
from backend.api.registry import ApiRoutes
from backend.api.validation import json_response, read_query
from backend.context import Platform
from backend.openapi_hints import declares, stripped_at_least

routes = ApiRoutes("places")
MAX_TEXT = 500


class PlaceQuery(BaseModel):
    text: str = Field(..., description=f"the customer's message or answer, at most {MAX_TEXT} characters")

    @validator("text")
    @declares(pattern=stripped_at_least(1))
    def _text(cls, value: str) -> str:  # noqa: N805
        value = value.strip()
        if not value:
            raise ValueError("请提供客户所说的地点文字（text）")
        if len(value) > MAX_TEXT:
            raise ValueError(f"文字过长，请不超过{MAX_TEXT}个字")
        return value


@routes.op("GET", "/api/places/resolve",
           "The place named in a text: found | ambiguous | too_vague | unknown | none, with the place "
           "(level area/street/county, area_id, area_ids, site_class, unit) or the candidates (at most 5)",
           query=PlaceQuery, responses={200: "The resolution", 422: "No text, or too long"})
async def resolve_place(request: web.Request) -> web.Response:
    platform: Platform = request.app[PLATFORM]
    q = read_query(request, PlaceQuery)
    async with platform.sessions() as session:
        index = await platform.places.index(session)
    return json_response(index.resolve(q.text).view())
