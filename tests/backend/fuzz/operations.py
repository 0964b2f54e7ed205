"""The OpenAPI document's operations as schemathesis strategies, and who calls each one.

Shared by the fuzz pass (test_api_fuzz.py) and the check that the document declares what
the server enforces (test_openapi_declares.py).
"""
from __future__ import annotations

from typing import Any

import requests
import schemathesis
from hypothesis import strategies as st
from sqlalchemy import select

from backend.api import PLATFORM
from backend.api.policy import ADMIN, AGENT, POLICY, PUBLIC, SERVICE, SUPERVISOR
from backend.api.registry import openapi_document
from backend.app import ROUTE_TABLES
from backend.models import Account
from tests.backend.fuzz.campaign import REQUEST_TIMEOUT
from tests.backend.fuzz.conftest import staff_cookie
from tests.backend.fuzz.server import LiveServer

DOCUMENT = openapi_document(ROUTE_TABLES, title="fuzz", version="1")
SCHEMA = schemathesis.openapi.from_dict(DOCUMENT)
# The caller's credentials are chosen per route (below); random ones only meet the 401,
# which test_every_route already proves for every route.
SCHEMA.config.generation.update(with_security_parameters=False)
OPERATIONS = [f"{method.upper()} {path}" for path, methods in DOCUMENT["paths"].items() for method in methods]
# The staff member each role's routes are fuzzed as (backend/demo/province.py).
STAFF_BY_ROLE = {ADMIN: "admin", SUPERVISOR: "supervisor", AGENT: "agent1"}


def caller(live: LiveServer, label: str) -> dict[str, str]:
    method, path = label.split(" ", 1)
    rule = POLICY.get((method, path))
    who = rule.who if rule else frozenset({SERVICE})
    if PUBLIC in who:
        return {}
    if SERVICE in who:
        return live.service
    role = next(r for r in (ADMIN, SUPERVISOR, AGENT) if r in who)
    return staff_cookie(live, STAFF_BY_ROLE[role])


def known_values(live: LiveServer) -> dict[str, list[str]]:
    """Real values of the first path parameter from the demo data, by the path's prefix."""
    def get(path: str, headers: dict[str, str], key: str = "items") -> list[Any]:
        resp = requests.get(live.base_url + path, headers=headers, timeout=REQUEST_TIMEOUT)
        resp.raise_for_status()
        body = resp.json()
        return body[key] if isinstance(body, dict) else body

    admin = staff_cookie(live, "admin")
    platform = live.app[PLATFORM]

    async def accounts() -> list[str]:
        async with platform.sessions() as session:
            return list((await session.scalars(select(Account.account_no).limit(5))).all())

    tickets = [t["id"] for t in get("/api/tickets?per_page=5", live.service)]
    conversations = [c["id"] for c in get("/api/conversations?per_page=5", live.service)]
    plans = [str(p["id"]) for p in get("/api/plans?limit=5", admin, "plans")]
    months = [a["month"] for a in get("/api/assessments", admin, "periods")][:5]
    return {"/api/tickets/": tickets, "/api/console/tickets/": tickets, "/api/conversations/": conversations,
            "/api/plans/": plans, "/api/accounts/": live.run(accounts()), "/api/tariffs/": ["zhejiang"],
            "/api/assessments/": months}


def strategy(label: str, known: dict[str, list[str]],
             modes: tuple[schemathesis.GenerationMode, ...] = tuple(schemathesis.GenerationMode),
             ) -> st.SearchStrategy[schemathesis.Case]:
    """Cases of one operation in the given modes: path parameters random, or each known value."""
    method, path = label.split(" ", 1)
    operation = SCHEMA[path][method]
    name = path.partition("{")[2].partition("}")[0]
    values = next((v for prefix, v in known.items() if name and path.startswith(prefix)), [])
    fixed = [None] + [{name: value} for value in values]
    return st.one_of([operation.as_strategy(generation_mode=mode, path_parameters=given)
                      for mode in modes for given in fixed])
