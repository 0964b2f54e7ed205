"""A route table that also describes itself, so /api/openapi.json is generated
from the same declarations that wire the handlers.

Constraints a pydantic Field cannot say (a value from a tuple of names, a 户号's
format, "these two together") are checked by validators; a validator that carries
a mark (backend/openapi_hints.py, `declares`) says its constraint in JSON Schema,
and the document copies it onto the field (or, from a root validator, onto the
model: a body's schema, a query's `x-query-schema`). What validation.py enforces on
every field is declared on every field: integers within QUERY_INT_LIMIT, dates in
QUERY_YEARS, and a query string at least one character (an empty one is not given).
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from pydantic import BaseModel

from backend.api.validation import QUERY_INT_LIMIT, QUERY_YEARS
from backend.openapi_hints import declared
from backend.sla.calendar import year_pattern

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
                schema = declared_schema(op.query, {})
                if schema.get("x-model"):
                    entry["x-query-schema"] = schema["x-model"]
                for name, prop in schema.get("properties", {}).items():
                    if prop.get("type") == "string":
                        prop["minLength"] = max(prop.get("minLength", 1), 1)
                    params.append({"name": name, "in": "query",
                                   "required": name in schema.get("required", []),
                                   "schema": {k: v for k, v in prop.items() if k != "title"}})
            if params:
                entry["parameters"] = params
            if op.body is not None:
                schema = declared_schema(op.body, schemas)
                schemas[op.body.__name__] = {**schema.pop("x-model", {}), **schema}
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


def declared_schema(model: type[BaseModel], definitions: dict[str, Any]) -> dict[str, Any]:
    """The model's JSON Schema with what its validators declare; nested models go to `definitions`."""
    schema = model.schema(ref_template="#/components/schemas/{model}")
    nested = schema.pop("definitions", {})
    _declare(model, schema)
    for sub in _nested_models(model):
        if sub.__name__ in nested:
            _declare(sub, nested[sub.__name__])
    for name, sub_schema in nested.items():
        definitions[name] = {**sub_schema.pop("x-model", {}), **sub_schema}
    return schema


def _declare(model: type[BaseModel], schema: dict[str, Any]) -> None:
    properties = schema.get("properties", {})
    for model_field in model.__fields__.values():
        prop = properties.get(model_field.alias)
        if prop is None:
            continue
        for validator in model_field.class_validators.values():
            prop.update(declared(validator.func))
        _bound_values(prop)
    rules = [declared(func) for _, func in model.__post_root_validators__ if declared(func)]
    if rules:
        schema["x-model"] = rules[0] if len(rules) == 1 else {"allOf": rules}


def _bound_values(prop: dict[str, Any]) -> None:
    for schema in [prop, *prop.get("anyOf", []), prop.get("items", {})]:
        if schema.get("type") == "integer":
            schema["maximum"] = min(schema.get("maximum", QUERY_INT_LIMIT), QUERY_INT_LIMIT)
            schema["minimum"] = max(schema.get("minimum", -QUERY_INT_LIMIT), -QUERY_INT_LIMIT)
        elif schema.get("format") in ("date", "date-time"):
            schema.setdefault("pattern", f"^{year_pattern(QUERY_YEARS)}-")


def _nested_models(model: type[BaseModel], seen: set[type[BaseModel]] | None = None) -> list[type[BaseModel]]:
    seen = set() if seen is None else seen
    for model_field in model.__fields__.values():
        sub = model_field.type_
        if isinstance(sub, type) and issubclass(sub, BaseModel) and sub not in seen:
            seen.add(sub)
            _nested_models(sub, seen)
    return list(seen)


def _path_params(path: str) -> list[str]:
    return [part[1:-1].split(":")[0] for part in path.split("/") if part.startswith("{")]
