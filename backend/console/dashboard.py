"""`GET /console/dashboard`: the supervisors' service-quality dashboard (看板, issue #8).

The page is a shell: its script (static/dashboard.js) asks GET /api/kpi for the
chosen unit, once for the month shown (the comparison across child units, a bar
chart and the assessment table) and once per month of the trend (a line chart
per chosen indicator, with its numbers in a table beside it). The numbers on the
page are therefore the API's, computed once (backend/kpi.py); the export
(backend/console/export.py) uses the same function.

Drill-down: a number whose tickets the ticket list can select exactly
(backend/kpi.py TICKET_FILTERS) links to /console/tickets with that filter, the
unit and the month; the others are plain numbers.

Improvement plans (static/dashboard-plans.js): beside each indicator of the unit
shown, the plans of its subtree that target it (GET /api/plans?unit=&month=: status,
target, the responsible unit's value in the month) and a 制定整改 link to the
plans page's form with the unit, indicator and month.

Charts: ECharts 5, vendored as static/vendor/echarts.min.js (Apache-2.0, its
LICENSE beside it), served from this server, so the console's CSP
(`script-src 'self'`, no eval, no inline style) holds; tooltips are drawn on
the canvas (richText) rather than as HTML with inline styles.

Authority: the access table (backend/api/policy.py): supervisors and admins;
no session → the login page; an agent → the table's refusal. `?unit=` outside
the caller's subtree → 403 outside_unit, like the API.
"""
from __future__ import annotations

from datetime import date
from html import escape
from string import Template

from aiohttp import web

from backend.api import PLATFORM
from backend.api.auth import principal
from backend.api.plans import PLANS_PATH
from backend.api.policy import POLICY
from backend.api.scope import visible_unit
from backend.console import wording as say
from backend.console.export import EXPORT_PATH
from backend.console.pages import HERE, LOGIN_PATH, _page, header_values, routes
from backend.context import Platform
from backend.kpi import drill_down, percent_decimals, root_unit
from backend.plans import targetable
from backend.sla.calendar import TZ
from backend.units import descendants, unit_tree
from backend.web.chat import json_for_html

DASHBOARD_PATH = "/console/dashboard"
TICKETS_PATH = "/console/tickets"  # the tickets workspace; takes the ticket list's filters as its query
PLANS_PAGE_PATH = "/console/plans"  # improvement plans (plans_page.py); ?new=1&unit=&indicator=&month= opens the form
DASHBOARD_PAGE = Template((HERE / "templates" / "dashboard.html").read_text(encoding="utf-8"))
TREND_MONTHS = (3, 6, 12)
DEFAULT_TREND = ("satisfaction", "complaint_handling_rate", "repair_arrival_timeliness")


async def _choices(platform: Platform, top: str) -> list[dict[str, str]]:
    """The units the caller may pick: `top` and its subtree, in tree order, indented by depth."""
    async with platform.sessions() as session:
        units, children = await unit_tree(session)
    depth = {top: 0}
    for uid in descendants(children, top):
        for child in children.get(uid, []):
            depth[child] = depth[uid] + 1

    def walk(uid: str) -> list[str]:
        return [uid, *(x for child in children.get(uid, []) for x in walk(child))]

    return [{"id": uid, "name": units[uid].name, "depth": str(depth[uid])} for uid in walk(top)]


@routes.get(DASHBOARD_PATH)
async def dashboard_page(request: web.Request) -> web.Response:
    """The dashboard shell with the caller's units, the current month and the drill-down filters."""
    platform: Platform = request.app[PLATFORM]
    who = principal(request)
    requested = request.query.get("unit") or None
    async with platform.sessions() as session:
        unit = await visible_unit(session, who, requested) or await root_unit(session)
        top = who.unit_id or await root_unit(session)
    today: date = platform.clock().astimezone(TZ).date()
    config = {
        "unit": unit, "units": await _choices(platform, top), "month": today.strftime("%Y-%m"),
        "trendMonths": list(TREND_MONTHS), "trend": list(DEFAULT_TREND), "compare": "satisfaction",
        "indicators": list(say.INDICATORS), "drill": {k: drill_down(k) for k in say.INDICATORS},
        "decimals": percent_decimals(),
        "plans": PLANS_PATH, "plansPage": PLANS_PAGE_PATH, "planTargets": targetable(say.INDICATORS),
        "mayPlan": POLICY[("POST", PLANS_PATH)].admits(who.kind, who.role),
        "kpi": "/api/kpi", "export": EXPORT_PATH, "tickets": TICKETS_PATH, "login": LOGIN_PATH,
        "logout": "/api/auth/logout", "texts": say.dashboard_texts(),
    }
    return _page(DASHBOARD_PAGE.substitute(
        await header_values(platform, who), title=escape(say.DASHBOARD_TITLE), hint=escape(say.DASHBOARD["drillHint"]),
        chart_hint=escape(say.DASHBOARD["chartHint"]), loading=escape(say.DASHBOARD["loading"]),
        config=json_for_html(config)))
