"""Every error leaves as JSON `{"error": {"code", "message"}}`; bad input is a 4xx."""
from __future__ import annotations

import json
import logging
from typing import Any

from aiohttp import web
from pydantic import ValidationError

from backend.db import unreachable
from backend.errors import DomainError

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 10
# The longest request target (path and query) answered; a longer one is a 414 in JSON. aiohttp's
# own parser refuses lines past its max_line_size with a text/plain 400 before any middleware,
# so the application lets it read up to PARSER_LINE_BYTES (backend/app.py) and refuses here.
MAX_REQUEST_TARGET_BYTES = 8190
PARSER_LINE_BYTES = 65536

_HTTP_MESSAGES = {
    400: "请求格式不正确。", 401: "请先登录或提供有效的访问令牌。", 403: "没有权限执行该操作。",
    404: "请求的资源不存在。", 405: "不支持该请求方法。", 413: "请求内容过大。",
    414: "请求地址过长。", 415: "请以 JSON 格式提交。",
}


def error_response(status: int, code: str, message: str, details: Any = None) -> web.Response:
    body: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return web.json_response({"error": body}, status=status,
                             dumps=lambda o: json.dumps(o, ensure_ascii=False))


# pydantic's messages are English; customers and staff read these.
_PYDANTIC_MESSAGES = {
    "value_error.missing": "此项为必填项",
    "value_error.extra": "不支持该字段",
    "value_error.any_str.min_length": "内容过短",
    "value_error.any_str.max_length": "内容过长",
    "value_error.number.not_ge": "数值过小",
    "value_error.number.not_le": "数值过大",
    "value_error.number.not_gt": "数值过小",
    "value_error.date": "日期格式应为 YYYY-MM-DD",
    "value_error.datetime": "时间格式应为 ISO 8601，并带时区，如 2026-11-26T09:00:00+08:00",
    "type_error.bool": "应为 true 或 false",
    "type_error.integer": "应为整数",
    "type_error.float": "应为数字",
    "type_error.none.not_allowed": "不能为空",
    "type_error.str": "应为文本",
    "type_error.dict": "应为对象",
    "type_error.list": "应为列表",
    "value_error.const": "取值不正确",
    "type_error.enum": "取值不在允许范围内",
}


def _message(error: dict[str, Any]) -> str:
    kind = error["type"]
    if kind in _PYDANTIC_MESSAGES:
        return _PYDANTIC_MESSAGES[kind]
    if kind == "value_error.literal" or kind.startswith("value_error.const"):
        return "取值不在允许范围内"
    if kind == "value_error":  # our own validators speak Chinese already
        return error["msg"]
    return "取值不正确" if kind.startswith(("type_error", "value_error")) else error["msg"]


def validation_details(exc: ValidationError) -> list[dict[str, str]]:
    return [{"field": ".".join(str(p) for p in e["loc"] if p != "__root__"), "message": _message(e)}
            for e in exc.errors()]


@web.middleware
async def error_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    if len(request.raw_path) > MAX_REQUEST_TARGET_BYTES:
        return error_response(414, "uri_too_long", _HTTP_MESSAGES[414])
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
    except Exception as exc:
        if unreachable(exc):  # retryable: the assistant's outbox keeps a ticket for later on a 503
            log.error("database unreachable on %s %s: %r", request.method, request.path, exc)
            response = error_response(503, "database_unavailable", "系统繁忙，请稍后再试。")
            response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return response
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "internal_error", "系统繁忙，请稍后再试。")
