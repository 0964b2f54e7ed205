"""The ticket desk's page: `GET /console/tickets` (issue #8, tickets; nav entry 工单).

Server-rendered shell like GET /console (backend/console/pages.py: same session check, same
security headers, same header and style); the queue, the detail panel and the step buttons
are drawn by static/tickets.js from the desk API (backend/console/ticket_api.py), with every
sentence from wording.desk_texts(). Supervisors and admins also get the supervision tabs
(escalated, overdue, repeat complaints of their subtree): a preset filter, no other data.
"""
from __future__ import annotations

from html import escape
from string import Template

from aiohttp import web

from backend.api import PLATFORM
from backend.console import wording as say
from backend.console.pages import CONSOLE_PATH, CONSOLE_ROLES, HERE, LOGIN_PATH, _page, header_values, routes, staff_of
from backend.web.chat import json_for_html

TICKETS_PATH = "/console/tickets"
TICKETS_PAGE = Template((HERE / "templates" / "tickets.html").read_text(encoding="utf-8"))
SUPERVISING = ("supervisor", "admin")


@routes.get(TICKETS_PATH)
async def tickets_page(request: web.Request) -> web.Response:
    """The ticket desk: the subtree's queue by nearest deadline, the open ticket and its legal steps."""
    who = await staff_of(request)
    if who is None:
        raise web.HTTPFound(LOGIN_PATH)
    if who.role not in CONSOLE_ROLES:
        return _page(f"<!doctype html><meta charset='utf-8'><p>{escape(say.FORBIDDEN)}</p>", status=403)
    header = await header_values(request.app[PLATFORM], who)
    config = {"me": {"actor": who.actor, "username": who.name, "role": who.role},
              "supervising": who.role in SUPERVISING, "queue": "/api/console/tickets",
              "ticket": "/api/console/tickets/", "events": "/api/tickets/", "login": LOGIN_PATH,
              "logout": "/api/auth/logout", "texts": say.desk_texts()}
    return _page(TICKETS_PAGE.substitute(
        header, title=escape(say.DESK_TITLE), console=CONSOLE_PATH, tickets=TICKETS_PATH,
        filters=escape(say.DESK["filters"]), pick_one=escape(say.DESK["pickOne"]),
        clocks=escape(say.DESK["clocks"]), history=escape(say.DESK["history"]),
        surveys=escape(say.DESK_SURVEYS["title"]),
        actions=escape(say.DESK["actions"]), customer=escape(say.DESK["customer"]),
        masked_only=escape(say.MASKED_ONLY), config=json_for_html(config)))
