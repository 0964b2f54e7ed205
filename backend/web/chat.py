"""The web chat channel (issue #7 part 2): `GET /chat`, `POST /chat/session`,
`GET /chat/socket` (backend/web/chat_socket.py) and `GET /chat/widget.js`.

A mobile-first page (it works in WeChat's in-app browser) through the conversation
router: one conversation per browser, channel `web`. No framework: the page is
server-rendered from templates/chat.html, its script and style are
static/chat/chat.js and chat.css, every sentence is in chat_wording.py.

Terms:
- token: backend/web/chat_sessions.py; line, status, ticket card: chat_lines.py.
- session: `POST /chat/session {"token"?}`. A token this server gave out gets
  its conversation's newest lines (history restore) and status; no token, a
  malformed one or one it never gave out (a wiped database, another server)
  gets a new token and a new, empty conversation (`"new": true`, and
  `"replaced": true` when a token was sent, so the page can say so). New
  conversations per client address are limited (service_rules.yml `web_chat`).
- widget: `/chat/widget.js` adds a floating button to any site that opens /chat
  in an iframe (static/chat/widget.js); the server hands it its sentences.
- embedding: /chat may be framed by the origins in `web_chat.embed_origins`
  (CSP frame-ancestors; `*` by default so the widget works on any site). Its
  script and styles come only from this server, and it connects only to this
  server, the socket included (CSP connect-src).

Authority: none but the token. /chat/… is outside /api/, so staff cookies and
the service token are neither needed nor read; nothing here reaches a staff API.
"""
from __future__ import annotations

import json
import logging
from html import escape
from pathlib import Path
from string import Template
from typing import Any

from aiohttp import web

from backend import surveys
from backend.api import PLATFORM
from backend.api.errors import error_response
from backend.api.registry import ApiRoutes
from backend.api.validation import json_response, parse_json, read_raw
from backend.context import Platform
from backend.errors import DomainError, PayloadTooLarge
from backend.web import chat_lines, chat_sessions, chat_socket
from backend.web import chat_wording as say

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static" / "chat"
STATIC_PREFIX = "/static/chat"
PAGE_PATH, SESSION_PATH, SOCKET_PATH, WIDGET_PATH = "/chat", "/chat/session", "/chat/socket", "/chat/widget.js"
PAGE = Template((HERE / "templates" / "chat.html").read_text(encoding="utf-8"))
WIDGET_CONFIG = "__WIDGET_CONFIG__"
MAX_SESSION_BODY = 2048

routes = ApiRoutes("chat")
routes.static(STATIC_PREFIX, STATIC_DIR)  # chat.js, chat.css (widget.js is served with its sentences)


def setup(app: web.Application, platform: Platform) -> None:
    """Give the application the chat's limiters and its register of open sockets."""
    chat_sessions.setup(app, platform)
    chat_socket.setup(app, platform)


def security_headers(request: web.Request, platform: Platform) -> dict[str, str]:
    """A strict CSP that still lets the widget frame the page and the page open its socket."""
    host = request.host
    ancestors = " ".join(platform.rules.web_chat.embed_origins)
    return {
        "Content-Security-Policy": (
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            f"connect-src 'self' ws://{host} wss://{host}; form-action 'self'; base-uri 'none'; "
            f"frame-ancestors {ancestors}"),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }


def page_config(platform: Platform, embedded: bool) -> dict[str, Any]:
    """What the page's script needs: its paths, limits, reconnection policy and sentences."""
    rules = platform.rules.web_chat
    return {"session": SESSION_PATH, "socket": SOCKET_PATH, "maxChars": rules.max_message_chars,
            "reconnect": {"initialMs": rules.reconnect_initial_ms, "maxMs": rules.reconnect_max_ms},
            "embedded": embedded, "texts": say.page_texts(), "survey": surveys.page_config(platform.rules.survey)}


def json_for_html(data: object) -> str:
    """JSON safe inside a <script type="application/json"> block (no "</script>", no "<!--")."""
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e") \
        .replace("&", "\\u0026")


@routes.get(PAGE_PATH)
async def chat_page(request: web.Request) -> web.Response:
    """The chat page; `?embed=1` when the widget shows it in its panel (no header of its own)."""
    platform: Platform = request.app[PLATFORM]
    embedded = request.query.get("embed") == "1"
    html = PAGE.substitute(
        title=escape(say.TITLE), brand=escape(say.BRAND), static=STATIC_PREFIX,
        body_class="embedded" if embedded else "", connecting=escape(say.CONNECTING),
        privacy_title=escape(say.PRIVACY_TITLE), privacy=escape(say.PRIVACY), privacy_ok=escape(say.PRIVACY_OK),
        welcome=escape(say.WELCOME), typing=escape(say.TYPING), input_label=escape(say.INPUT_LABEL),
        max_chars=platform.rules.web_chat.max_message_chars, placeholder=escape(say.PLACEHOLDER),
        send=escape(say.SEND), no_script=escape(say.NO_SCRIPT), hotline=escape(say.HOTLINE),
        config=json_for_html(page_config(platform, embedded)))
    return web.Response(text=html, content_type="text/html", charset="utf-8",
                        headers=security_headers(request, platform))


@routes.get(WIDGET_PATH)
async def widget_script(request: web.Request) -> web.Response:
    """The embed script, with its sentences; any site may load it (Cross-Origin-Resource-Policy)."""
    source = (STATIC_DIR / "widget.js").read_text(encoding="utf-8")
    config = json.dumps({"path": PAGE_PATH, "texts": say.widget_texts()}, ensure_ascii=True)
    return web.Response(text=source.replace(WIDGET_CONFIG, config), content_type="application/javascript",
                        charset="utf-8", headers={"Cache-Control": "public, max-age=300",
                                                  "Cross-Origin-Resource-Policy": "cross-origin",
                                                  "X-Content-Type-Options": "nosniff"})


@routes.op("POST", SESSION_PATH, "The web chat page's session: restore the token's conversation "
           "(newest lines, status) or start a new one with a new token", auth=False,
           responses={200: "{token, new, replaced, lines, status}", 400: "Unreadable body",
                      413: "Body too large", 429: "Too many new conversations from this address"})
async def session(request: web.Request) -> web.Response:
    """Restore the token's conversation (lines and status), or start a new one."""
    platform: Platform = request.app[PLATFORM]
    try:
        raw = await read_raw(request, MAX_SESSION_BODY)
    except PayloadTooLarge:
        return error_response(413, "too_large", say.error("bad_message"))
    try:
        data = parse_json(raw or b"{}")
    except DomainError:
        return error_response(400, "bad_json", say.error("bad_json"))
    if not isinstance(data, dict):
        return error_response(400, "bad_message", say.error("bad_message"))
    sent = data.get("token")
    try:
        opened = await chat_sessions.open_session(request, sent)
    except chat_sessions.TooManySessions as exc:
        response = error_response(429, "sessions_limited",
                                  say.error("sessions_limited", minutes=max(1, -(-exc.retry_after // 60))))
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    limit = platform.rules.web_chat.history_lines
    conversation_id = opened.conversation.id
    lines = [] if opened.new else await chat_lines.history(platform, conversation_id, limit=limit)
    return json_response({"token": opened.token, "new": opened.new, "replaced": opened.new and sent is not None,
                          "lines": lines, "status": await chat_lines.status(platform, conversation_id)},
                         headers={"Cache-Control": "no-store"})


routes.get(SOCKET_PATH)(chat_socket.handle)
