"""The console's pages: `GET /console/login` and `GET /console` (issue #8, conversations).

Server-rendered from templates/ with the staff member's name, role and unit in
the header; the script and style are static/ (vanilla, from this server only:
CSP `script-src 'self'`, no inline script, the page's data in a JSON block).
Every sentence is in backend/console/wording.py.

Authority: the staff session cookie of POST /api/auth/login (backend/api/staff.py).
/console without a valid session is a 302 to /console/login; a role other than
agent, supervisor or admin gets a 403 page. Whether the member may read and
serve conversations is the access table's (backend/api/policy.py, the rule of
GET /api/conversations/{id}): an admin gets the shell with a sentence instead
of the queues, and the feed refuses them too. /console/… is outside /api/, so the
auth middleware does not look at it: these handlers check the cookie
themselves (`staff_of`), and so does the live feed (backend/console/feed.py).
The page then calls /api/… with the same cookie.
"""
from __future__ import annotations

from html import escape
from pathlib import Path
from string import Template

from aiohttp import web

from backend.api import PLATFORM
from backend.api.auth import SESSION_COOKIE, Principal, staff_for_token
from backend.api.policy import POLICY
from backend.api.registry import ApiRoutes
from backend.console import wording as say
from backend.context import Platform
from backend.models import StaffUser, Unit
from backend.models.staff import STAFF_ROLES
from backend.web.chat import json_for_html

HERE = Path(__file__).resolve().parent
STATIC_PREFIX = "/static/console"
LOGIN_PATH, CONSOLE_PATH, EVENTS_PATH = "/console/login", "/console", "/console/events"
LOGIN_PAGE = Template((HERE / "templates" / "login.html").read_text(encoding="utf-8"))
CONSOLE_PAGE = Template((HERE / "templates" / "console.html").read_text(encoding="utf-8"))
CONSOLE_ROLES = STAFF_ROLES  # agent, supervisor, admin

routes = ApiRoutes("console")
routes.static(STATIC_PREFIX, HERE / "static")

SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                                "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


async def staff_of(request: web.Request) -> Principal | None:
    """The logged-in staff member of this request's session cookie, or None."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    return await staff_for_token(request.app[PLATFORM], token)


def serves_customers(who: Principal) -> bool:
    """Whether the access table lets this caller read conversations (admins administer, they do not serve)."""
    return POLICY[("GET", "/api/conversations/{id}")].admits(who.kind, who.role)


def _page(html: str, status: int = 200) -> web.Response:
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8",
                        headers=SECURITY_HEADERS)


@routes.get(LOGIN_PATH)
async def login_page(request: web.Request) -> web.Response:
    """The login form; someone already logged in goes straight to the console."""
    if await staff_of(request) is not None:
        raise web.HTTPFound(CONSOLE_PATH)
    config = {"login": "/api/auth/login", "next": CONSOLE_PATH, "errors": say.LOGIN_ERRORS, "busy": say.LOGIN_BUSY}
    return _page(LOGIN_PAGE.substitute(
        brand=escape(say.BRAND), title=escape(say.LOGIN_TITLE), static=STATIC_PREFIX,
        username=escape(say.LOGIN_USERNAME), password=escape(say.LOGIN_PASSWORD),
        submit=escape(say.LOGIN_SUBMIT), hint=escape(say.LOGIN_HINT), no_script=escape(say.NO_SCRIPT),
        config=json_for_html(config)))


async def header_values(platform: Platform, who: Principal) -> dict[str, str]:
    """What every console page's header shows (the staff member, their role and unit, the nav),
    escaped for the page's template."""
    async with platform.sessions() as session:
        user = await session.get(StaffUser, who.user_id)
        unit = await session.get(Unit, who.unit_id) if who.unit_id else None
    return {"brand": escape(say.BRAND), "static": STATIC_PREFIX,
            "name": escape(user.display_name if user else who.name),
            "role": escape(say.ROLES.get(who.role, who.role)), "unit": escape(unit.name if unit else ""),
            "nav_conversations": escape(say.NAV_CONVERSATIONS), "nav_tickets": escape(say.NAV_TICKETS),
            "nav_dashboard": escape(say.NAV_DASHBOARD), "nav_assessment": escape(say.NAV_ASSESSMENT),
            "nav_plans": escape(say.NAV_PLANS),
            "logout": escape(say.LOGOUT),
            "no_script": escape(say.NO_SCRIPT)}


@routes.get(CONSOLE_PATH)
async def console_page(request: web.Request) -> web.Response:
    """The conversations workspace: queues, the open conversation, assist and the customer panel."""
    who = await staff_of(request)
    if who is None:
        raise web.HTTPFound(LOGIN_PATH)
    if who.role not in CONSOLE_ROLES:
        return _page(f"<!doctype html><meta charset='utf-8'><p>{escape(say.FORBIDDEN)}</p>", status=403)
    header = await header_values(request.app[PLATFORM], who)
    config = {"me": {"actor": who.actor, "username": who.name, "role": who.role}, "serves": serves_customers(who),
              "events": EVENTS_PATH, "login": LOGIN_PATH, "logout": "/api/auth/logout",
              "canned": [{"title": t, "text": x} for t, x in say.CANNED_REPLIES], "texts": say.page_texts()}
    return _page(CONSOLE_PAGE.substitute(
        header, nav_soon=escape(say.NAV_SOON), connecting=escape(say.LIVE["connecting"]),
        channel_filter=escape(say.CHANNEL_FILTER),
        pick_one=escape(say.PICK_ONE), claim=escape(say.CLAIM), release=escape(say.RELEASE),
        close=escape(say.CLOSE), transfer=escape(say.TRANSFER), transfer_to=escape(say.TRANSFER_TO),
        transfer_go=escape(say.TRANSFER_GO), reply_label=escape(say.REPLY_LABEL),
        reply_hint=escape(say.REPLY_HINT), send=escape(say.SEND), canned_label=escape(say.CANNED_LABEL),
        canned_pick=escape(say.CANNED_PICK), assist=escape(say.ASSIST), suggestion=escape(say.SUGGESTION),
        tickets=escape(say.TICKETS), customer=escape(say.CUSTOMER), masked_only=escape(say.MASKED_ONLY),
        config=json_for_html(config)))
