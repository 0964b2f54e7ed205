"""Every error leaves as JSON `{"error": {"code", "message"}}`; bad input is a 4xx."""
from __future__ import annotations

import json
import logging
from typing import Any

from aiohttp import web
from pydantic import ValidationError

from backend.errors import DomainError

log = logging.getLogger(__name__)

_HTTP_MESSAGES = {
    400: "请求格式不正确。", 401: "请先登录或提供有效的访问令牌。", 403: "没有权限执行该操作。",
    404: "请求的资源不存在。", 405: "不支持该请求方法。", 413: "请求内容过大。",
    415: "请以 JSON 格式提交。",
}


def error_response(status: int, code: str, message: str, details: Any = None) -> web.Response:
    body: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return web.json_response({"error": body}, status=status,
                             dumps=lambda o: json.dumps(o, ensure_ascii=False))


def validation_details(exc: ValidationError) -> list[dict[str, str]]:
    return [{"field": ".".join(str(p) for p in e["loc"] if p != "__root__"), "message": e["msg"]}
            for e in exc.errors()]


@web.middleware
async def error_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    try:
        return await handler(request)
    except DomainError as exc:
        return error_response(exc.status, exc.code, exc.message, exc.details)
    except ValidationError as exc:
        details = validation_details(exc)
        first = details[0]
        message = f"{first['field']}: {first['message']}" if first["field"] else first["message"]
        return error_response(422, "invalid_input", message, details)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return error_response(exc.status, exc.reason.lower().replace(" ", "_"),
                              _HTTP_MESSAGES.get(exc.status, exc.reason))
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "internal_error", "系统繁忙，请稍后再试。")
