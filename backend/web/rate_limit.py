"""A sliding-window limit on requests per client, for doors open to anyone.

Terms:
- client: the key a caller is counted under (the complaint form uses the peer
  address aiohttp reports, `request.remote`);
- window: the last `window_seconds` before now; a request is allowed when the
  client made fewer than `limit` counted requests inside it, and is then counted;
- retry_after: whole seconds until the oldest counted request leaves the window.

Kept in memory per process: a restart forgets the counts, and several backend
processes each count on their own. Now is always passed in (the platform's
clock), so tests move time instead of sleeping.
"""
from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta

# Clients with nothing left in their window are dropped once this many are held.
SWEEP_ABOVE = 10_000


@dataclass(frozen=True)
class Verdict:
    """Whether a request may go ahead, and if not, when to try again."""

    allowed: bool
    retry_after: int = 0


class SlidingWindowLimiter:
    """At most `limit` requests per client within any `window_seconds`."""

    def __init__(self, limit: int, window_seconds: float) -> None:
        self.limit = limit
        self.window = timedelta(seconds=window_seconds)
        self._hits: dict[str, deque[datetime]] = {}

    def hit(self, client: str, now: datetime) -> Verdict:
        """Count a request by `client` at `now` if the window has room."""
        if len(self._hits) > SWEEP_ABOVE:
            self._sweep(now)
        hits = self._hits.setdefault(client, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            wait = (hits[0] + self.window - now).total_seconds()
            return Verdict(False, max(1, math.ceil(wait)))
        hits.append(now)
        return Verdict(True)

    def _sweep(self, now: datetime) -> None:
        for client in [c for c, hits in self._hits.items() if not hits or hits[-1] <= now - self.window]:
            del self._hits[client]
