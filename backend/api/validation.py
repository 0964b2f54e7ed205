"""Reading request bodies and query strings into pydantic models.

Everything a careless script or a curious visitor sends is refused here with a
Chinese 4xx before any handler or database sees it:
- a body larger than MAX_BODY, also when it comes chunked without a length (413);
- JSON that is not JSON, nested deeper than Python's parser recurses (`[` × 50,000),
  or that holds a lone surrogate (\\ud800), which no database can store (400/422);
- a number or date outside what any record can have, in a query (page=10^20,
  to=9999-12-31) or anywhere in a body (an IVR turn's seq=10^35, a nested area_id):
  422 naming the field, instead of an overflow in SQL or in date arithmetic. The
  OpenAPI document declares the same bounds (registry.py reads QUERY_INT_LIMIT).
"""
from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, validator

from backend.errors import DomainError, InvalidInput, PayloadTooLarge
from backend.openapi_hints import declares, stripped_at_least
from backend.sla.calendar import YEARS

M = TypeVar("M", bound=BaseModel)
MAX_BODY = 64 * 1024
# Bounds of a query value: larger integers overflow SQL's 64-bit integers or mean nothing
# (page, months, ids); dates outside these years have no record and overflow `date + 1 day`.
QUERY_INT_LIMIT = 1_000_000_000
QUERY_YEARS = YEARS


TOO_LARGE = "请求内容过大。"
NOT_JSON = "请求内容不是有效的 JSON。"


async def read_raw(request: web.Request, limit: int = MAX_BODY, too_large: str = TOO_LARGE) -> bytes:
    """The body, at most `limit` bytes, whether it came with a length or chunked
    (`too_large`: the refusal's wording, for a page that words its own)."""
    if request.content_length and request.content_length > limit:
        raise PayloadTooLarge(too_large, code="too_large")
    chunks: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = await request.content.read(limit + 1 - size)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
    raise PayloadTooLarge(too_large, code="too_large")


def stripped(*fields: str, at_least: int) -> Any:
    """A validator for free-text fields: spaces around the text are not part of it and spaces alone
    are no text, so the fields are stripped before their min_length (= `at_least`) is checked;
    the document says so with the pattern for the stripped length (or it would allow a case the
    server refuses: found by the fuzz campaign)."""
    @declares(pattern=stripped_at_least(at_least))
    def strip(cls: Any, value: Any) -> Any:
        return value.strip() if isinstance(value, str) else value

    return validator(*fields, pre=True, allow_reuse=True)(strip)


def parse_json(raw: bytes | str, not_json: str = NOT_JSON) -> Any:
    """JSON as Python values; unreadable, too deeply nested or unstorable text is a 4xx
    (`not_json`: the refusal's wording, for a page that words its own)."""
    try:
        data = json.loads(raw or b"null")
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except (ValueError, UnicodeError, RecursionError) as exc:
        # UnicodeEncodeError: a lone surrogate (\ud800) parses but no database can store it
        raise DomainError(not_json, code="invalid_json") from exc
    return data


async def read_body(request: web.Request, model: type[M]) -> M:
    data = parse_json(await read_raw(request))
    if not isinstance(data, dict):
        raise InvalidInput("请求内容应为 JSON 对象。")
    parsed = model.parse_obj(data)
    _check_bounds(parsed)
    return parsed


def read_query(request: web.Request, model: type[M]) -> M:
    # Empty parameters (?unit=) mean "not given", as browsers and forms send them.
    return read_params({k: v for k, v in request.query.items() if v != ""}, model)


def read_params(params: dict[str, object], model: type[M]) -> M:
    """Query parameters a handler gathered itself (repeated ones joined), validated and bounded."""
    parsed = model.parse_obj(params)
    _check_bounds(parsed)
    return parsed


def _check_bounds(parsed: BaseModel, prefix: str = "") -> None:
    for name, field in parsed.__fields__.items():
        where = prefix + field.alias
        values = getattr(parsed, name)
        for value in values if isinstance(values, (list, tuple)) else [values]:
            if isinstance(value, BaseModel):
                _check_bounds(value, where + ".")
            elif _out_of_range(value):
                raise InvalidInput(f"参数 {where} 超出允许的范围。",
                                   details=[{"field": where, "message": "超出允许的范围"}])


def _out_of_range(value: object) -> bool:
    if isinstance(value, bool) or value is None:
        return False
    return (isinstance(value, int) and abs(value) > QUERY_INT_LIMIT) or \
        (isinstance(value, (date, datetime)) and value.year not in QUERY_YEARS)


def json_response(data: object, status: int = 200, headers: dict[str, str] | None = None
                  ) -> web.Response:
    return web.json_response(data, status=status, headers=headers,
                             dumps=lambda o: json.dumps(o, ensure_ascii=False, default=str))
