"""`GET /console/plans`: improvement plans (整改, issue #8; nav entry 整改 beside 看板).

A shell like the other console pages (same header, security headers, no inline
script or style); static/plans.js draws the list (status, due date), a plan's
detail with its progress and the buttons the caller may use (the API's `may`),
and the form that makes a plan, from /api/plans (backend/api/plans.py).

Query: `?plan=ZG…` opens that plan; `?new=1&unit=&indicator=&month=` opens the form
prefilled, as the dashboard's 制定整改 button links it (unit, indicator, month).

Authority: the access table (backend/api/policy.py): every staff role (the plans of
their subtree, by responsible unit); no session → the login page. The form is
offered to whom the table lets make a plan (POST /api/plans).
"""
from __future__ import annotations

from html import escape
from string import Template

from aiohttp import web

from backend.api import PLATFORM
from backend.api.auth import principal
from backend.api.plans import PLANS_PATH
from backend.api.policy import POLICY
from backend.console import wording as say
from backend.console.dashboard import DASHBOARD_PATH, PLANS_PAGE_PATH, _choices
from backend.console.pages import HERE, LOGIN_PATH, _page, header_values, routes
from backend.context import Platform
from backend.kpi import percent_decimals, root_unit
from backend.plans import targetable, today
from backend.web.chat import json_for_html

PLANS_PAGE = Template((HERE / "templates" / "plans.html").read_text(encoding="utf-8"))


def _prefill(request: web.Request) -> dict[str, str] | None:
    """The form's values from the dashboard's link; the API checks them again when it is sent."""
    if request.query.get("new") != "1":
        return None
    return {k: request.query.get(k, "")[:40] for k in ("unit", "indicator", "month")}


@routes.get(PLANS_PAGE_PATH)
async def plans_page(request: web.Request) -> web.Response:
    """The plans of the caller's subtree, one plan's detail, and (for supervisors) the form."""
    platform: Platform = request.app[PLATFORM]
    who = principal(request)
    async with platform.sessions() as session:
        top = who.unit_id or await root_unit(session)
    day = today(platform)
    config = {
        "me": {"username": who.name, "role": who.role},
        "mayCreate": POLICY[("POST", PLANS_PATH)].admits(who.kind, who.role),
        "units": await _choices(platform, top), "today": day.isoformat(), "month": day.strftime("%Y-%m"),
        "indicators": list(say.INDICATORS), "targets": targetable(say.INDICATORS),
        "decimals": percent_decimals(), "open": request.query.get("plan", "")[:24] or None,
        "prefill": _prefill(request), "plans": PLANS_PATH, "dashboard": DASHBOARD_PATH,
        "login": LOGIN_PATH, "logout": "/api/auth/logout", "texts": say.plans_texts(),
    }
    return _page(PLANS_PAGE.substitute(
        await header_values(platform, who), title=escape(say.PLANS_TITLE), loading=escape(say.PLANS["loading"]),
        pick_one=escape(say.PLANS["pickOne"]), list_title=escape(say.PLANS["list"]), config=json_for_html(config)))
