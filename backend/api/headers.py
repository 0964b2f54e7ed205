"""Response headers every answer of the backend carries (issue #9: hardening).

Set in `on_response_prepare`, after the handler, as defaults: a page that needs
its own policy (the chat page may be framed by the sites that embed it; the
complaint form and the console set a stricter CSP) keeps what it set.

- every response: `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`,
  and no `Server` banner naming aiohttp and its version (it only helps an attacker
  pick an exploit);
- JSON and other non-page answers: `Cache-Control: no-store` (they carry personal
  data: no browser or proxy keeps a copy), `X-Frame-Options: DENY` and a CSP that
  allows nothing (a JSON answer opened as a page runs nothing and cannot be framed);
- pages (text/html) without their own CSP: a same-origin CSP and no framing.
"""
from __future__ import annotations

from aiohttp import web

SERVER_NAME = "95598"
API_CSP = "default-src 'none'; frame-ancestors 'none'"
PAGE_CSP = ("default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
            "frame-ancestors 'none'")
# Answers a browser or proxy may keep: the static scripts and styles of the pages.
CACHEABLE_TYPES = ("application/javascript", "text/css", "image/", "font/")


async def harden(request: web.Request, response: web.StreamResponse) -> None:
    """Add the default headers to an answer about to be sent."""
    headers = response.headers
    headers["Server"] = SERVER_NAME
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    content_type = headers.get("Content-Type", "")
    if content_type.startswith("text/html"):
        headers.setdefault("Content-Security-Policy", PAGE_CSP)
        if "frame-ancestors" not in headers["Content-Security-Policy"]:
            headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cache-Control", "no-store")
        return
    if content_type.startswith(CACHEABLE_TYPES):
        return
    headers.setdefault("Cache-Control", "no-store")
    headers.setdefault("Content-Security-Policy", API_CSP)
    headers.setdefault("X-Frame-Options", "DENY")


def install_headers(app: web.Application) -> None:
    app.on_response_prepare.append(harden)
