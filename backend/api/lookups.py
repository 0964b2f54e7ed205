"""Look-ups by 户号: one answer whether a 户号 exists or not, and a per-client limit on guessing.

A look-up is a request that names a 户号: GET /api/outages?account_no=, the identity
check (POST /api/accounts/verify, GET /api/accounts/{account_no}[/bills]) and a staff
member's new ticket naming one (POST /api/tickets). None of them tells which 户号
exist, or in which unit:
- outages by 户号: a 户号 that is unknown, or whose area is outside the caller's
  subtree, is answered like a known 户号 with no notice today (200, no items, the
  self-check advice); the echoed query names only the masked 户号, never its 台区;
- the identity check: an unknown 户号 and a wrong phone get the same 403
  (backend/accounts.py); another unit's account is refused only once the caller
  proved they know its phone;
- a staff ticket: an account the caller's subtree does not hold is treated as an
  unknown 户号 (none of its data is used), so both file the same ticket.

What remains is guessing at scale, which the counts here bound (service_rules.yml
account_lookups). Terms:
- client: a staff member (by user id, over all their sessions), or a customer's
  conversation when the assistant names it in the `X-Customer-Ref` header (the
  actions send their sender id); besides, every staff request is counted under its
  peer address (`request.remote`) with the higher per-address limit. The service
  token without the header is the back end itself (the assistant speaking for
  many customers at once) and is not counted.
- what is counted: different 户号 within the last `window_seconds`; naming a 户号
  the client already named in the window is free (a customer asking again).
- over the limit: 429 `too_many_lookups` with `details.retry_after_seconds`, before
  anything is looked up; a refused look-up is not counted.

Counts are kept in memory per process, like the complaint form's (backend/web/rate_limit.py):
a restart forgets them. The 户号 are held only as hashes.
"""
from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta

from aiohttp import web

from backend.api import PLATFORM
from backend.api.auth import principal
from backend.errors import TooManyAttempts
from backend.rules import LookupRules
from glossary.identifiers import CUSTOMER_REF_HEADER

TOO_MANY_LOOKUPS = "查询过于频繁，请{minutes}分钟后再试。"
# Clients with nothing left in their window are dropped once this many are held.
SWEEP_ABOVE = 10_000


class LookupLimiter:
    """Different 户号 per client within a sliding window."""

    def __init__(self, rules: LookupRules) -> None:
        self.rules = rules
        self.window = timedelta(seconds=rules.window_seconds)
        self._seen: dict[str, dict[str, datetime]] = {}

    def check(self, clients: list[tuple[str, int]], account_no: str, now: datetime) -> int:
        """Count `account_no` for every (client, limit); 0 when allowed, else seconds to wait (nothing counted)."""
        if len(self._seen) > SWEEP_ABOVE:
            self._sweep(now)
        digest = hashlib.sha256(account_no.encode()).hexdigest()[:16]
        wait = 0
        for client, limit in clients:
            seen = self._current(client, now)
            if digest not in seen and len(seen) >= limit:
                oldest = min(seen.values())
                wait = max(wait, math.ceil((oldest + self.window - now).total_seconds()), 1)
        if wait:
            return wait
        for client, _ in clients:
            self._seen[client].setdefault(digest, now)
        return 0

    def _current(self, client: str, now: datetime) -> dict[str, datetime]:
        seen = self._seen.setdefault(client, {})
        for digest in [d for d, at in seen.items() if at <= now - self.window]:
            del seen[digest]
        return seen

    def _sweep(self, now: datetime) -> None:
        for client in [c for c, seen in self._seen.items() if all(at <= now - self.window for at in seen.values())]:
            del self._seen[client]


LIMITER = web.AppKey("account_lookup_limiter", LookupLimiter)


def setup(app: web.Application) -> None:
    app[LIMITER] = LookupLimiter(app[PLATFORM].rules.account_lookups)


def clients_of(request: web.Request, rules: LookupRules) -> list[tuple[str, int]]:
    """Whom this request is counted under, each with its limit (module docstring)."""
    who = principal(request)
    if who.kind == "staff":
        return [(f"staff:{who.user_id}", rules.max_accounts_per_client),
                (f"address:{request.remote or ''}", rules.max_accounts_per_address)]
    ref = request.headers.get(CUSTOMER_REF_HEADER, "").strip()[:128]
    if who.kind == "service" and ref:
        return [(f"customer:{ref}", rules.max_accounts_per_client)]
    return []


def count_lookup(request: web.Request, account_no: str) -> None:
    """Count a look-up of `account_no` by the caller; 429 too_many_lookups beyond the limit."""
    limiter = request.app[LIMITER]
    wait = limiter.check(clients_of(request, limiter.rules), account_no, request.app[PLATFORM].clock())
    if wait:
        raise TooManyAttempts(TOO_MANY_LOOKUPS.format(minutes=-(-wait // 60)), code="too_many_lookups",
                              details={"retry_after_seconds": wait})
