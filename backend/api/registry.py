"""A route table that also describes itself, so /api/openapi.json is generated
from the same declarations that wire the handlers."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from pydantic import BaseModel

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str
    tag: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    responses: dict[int, str] = field(default_factory=dict)
    auth: bool = True
    headers: tuple[str, ...] = ()


class ApiRoutes(web.RouteTableDef):
    def __init__(self, tag: str) -> None:
        super().__init__()
        self.tag = tag
        self.operations: list[Operation] = []

    def op(self, method: str, path: str, summary: str, *, body: type[BaseModel] | None = None,
           query: type[BaseModel] | None = None, responses: dict[int, str] | None = None,
           auth: bool = True, headers: tuple[str, ...] = ()) -> Callable[[Handler], Handler]:
        self.operations.append(Operation(method, path, summary, self.tag, body, query,
                                         responses or {200: "OK"}, auth, headers))
        return self.route(method, path)


def openapi_document(tables: list[ApiRoutes], *, title: str, version: str) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    schemas: dict[str, Any] = {}
    ref = "#/components/schemas/{model}"
    for table in tables:
        for op in table.operations:
            entry: dict[str, Any] = {
                "summary": op.summary, "tags": [op.tag],
                "responses": {str(code): {"description": text} for code, text in op.responses.items()},
            }
            error = {"application/json": {"schema": {"$ref": ref.format(model="Error")}}}
            entry["responses"].setdefault("default", {"description": "Error", "content": error})
            params: list[dict[str, Any]] = [
                {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                for name in _path_params(op.path)
            ]
            params += [{"name": h, "in": "header", "required": False, "schema": {"type": "string"}}
                       for h in op.headers]
            if op.query is not None:
                schema = op.query.schema(ref_template=ref)
                for name, prop in schema.get("properties", {}).items():
                    params.append({"name": name, "in": "query",
                                   "required": name in schema.get("required", []),
                                   "schema": {k: v for k, v in prop.items() if k != "title"}})
            if params:
                entry["parameters"] = params
            if op.body is not None:
                schema = op.body.schema(ref_template=ref)
                schemas.update(schema.pop("definitions", {}))
                schemas[op.body.__name__] = schema
                entry["requestBody"] = {"required": True, "content": {
                    "application/json": {"schema": {"$ref": ref.format(model=op.body.__name__)}}}}
            if not op.auth:
                entry["security"] = []
            paths.setdefault(op.path, {})[op.method.lower()] = entry
    schemas["Error"] = {"type": "object", "properties": {"error": {"type": "object", "properties": {
        "code": {"type": "string"}, "message": {"type": "string"}, "details": {}},
        "required": ["code", "message"]}}, "required": ["error"]}
    return {
        "openapi": "3.0.3",
        "info": {"title": title, "version": version},
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"},
            "staffSession": {"type": "apiKey", "in": "cookie", "name": "session"}}},
        "security": [{"bearer": []}, {"staffSession": []}],
    }


def _path_params(path: str) -> list[str]:
    return [part[1:-1].split(":")[0] for part in path.split("/") if part.startswith("{")]
