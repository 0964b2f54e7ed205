"""The staff console (issue #8): the agents' conversations workspace.

- pages.py        GET /console/login, GET /console (session cookie; server-rendered)
- feed.py         GET /console/events: Server-Sent Events polled from the database
- api.py          POST /api/conversations/{id}/transfer, GET /api/conversations/{id}/assist
- ticket_page.py  GET /console/tickets: the ticket desk (queues by nearest deadline, detail, step buttons)
- ticket_api.py   GET /api/tickets/{id}/steps, GET /api/console/tickets[/{id}] (timers, legal steps)
- ticket_desk.py  timers (on time / warning / overdue) and the steps offered, from tickets/lifecycle.py
- assist.py       the suggested reply and the customer's open tickets
- suggestions.py  intent → the assistant's own reply (data/rules one-step rules, domain.yml)
- assessment_page.py  GET /console/assessment[/{YYYY-MM}]: the published monthly assessment (read-only)
- plans_page.py   GET /console/plans: improvement plans (整改), list, detail, acts and the form
- wording.py      every sentence staff read on these pages
- templates/, static/  the pages' HTML, script and style (vanilla, CSP script-src 'self')

Wiring (backend/app.py): `ROUTE_TABLES` gets `pages.routes` (pages, feed, static)
and `api.routes`; `setup(app)` lets open feeds end on shutdown.
"""
from __future__ import annotations

from aiohttp import web

from backend.console import (  # noqa: F401 - they register routes
    api,
    assessment_page,
    dashboard,
    export,
    feed,
    pages,
    plans_page,
    ticket_api,
    ticket_page,
)

routes = pages.routes  # the pages, the feed (registered by feed.py on the same table) and static files
api_routes = api.routes

__all__ = ["api_routes", "routes", "setup"]


def setup(app: web.Application) -> None:
    """What the console needs beyond its routes: ending its open feeds on shutdown."""
    feed.setup(app)
