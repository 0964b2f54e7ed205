"""Reading request bodies and query strings into pydantic models."""
from __future__ import annotations

import json
from typing import TypeVar

from aiohttp import web
from pydantic import BaseModel

from backend.errors import DomainError, InvalidInput

M = TypeVar("M", bound=BaseModel)
MAX_BODY = 64 * 1024


async def read_body(request: web.Request, model: type[M]) -> M:
    if request.content_length and request.content_length > MAX_BODY:
        raise DomainError("请求内容过大。", code="too_large")
    raw = await request.read()
    try:
        data = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise DomainError("请求内容不是有效的 JSON。", code="invalid_json") from exc
    if not isinstance(data, dict):
        raise InvalidInput("请求内容应为 JSON 对象。")
    return model.parse_obj(data)


def read_query(request: web.Request, model: type[M]) -> M:
    # Empty parameters (?unit=) mean "not given", as browsers and forms send them.
    return model.parse_obj({k: v for k, v in request.query.items() if v != ""})


def json_response(data: object, status: int = 200, headers: dict[str, str] | None = None
                  ) -> web.Response:
    return web.json_response(data, status=status, headers=headers,
                             dumps=lambda o: json.dumps(o, ensure_ascii=False, default=str))
