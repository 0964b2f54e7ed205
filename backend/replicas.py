"""Several processes of one service behind one setting: `RASA_URL`, `BACKEND_URL` and the
action endpoint's URL each take a comma-separated list (issue #10, the production profile).

Three clients use it: the backend's router towards Rasa (backend/router/rasa.py), Rasa towards
the action servers (bot/action_servers.py) and the action server towards the backend
(actions/backend.py). No load balancer sits between them, so each client spreads its calls
and steps past a replica that is down:

- `order(key)`: the replicas to try, in turn. With a key (a conversation id) the first is
  always the same replica for that key, so a conversation's trackers stay warm in one Rasa
  while any other can take it over; without one, calls go round the replicas in turn.
- A replica that refused a connection rests for `REST_SECONDS`: it goes last in every order
  until then, so the next calls do not wait on it first. It is still tried when every other
  one fails (a restart is noticed at once).
- `call(key, attempt, retry_on)`: the first answer of `attempt(url)` in that order. Which
  failures move on to the next replica is the caller's decision: only a call that cannot
  have acted (connection refused) is always safe to repeat elsewhere; a call cut off halfway
  is repeated only where the callee is idempotent (the actions, by their Idempotency-Key).
"""
from __future__ import annotations

import itertools
import time
import zlib
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
REST_SECONDS = 10.0


def split_urls(value: str) -> list[str]:
    """The URLs of a setting: comma- or space-separated, trailing slashes dropped, each once."""
    urls: list[str] = []
    for part in value.replace(",", " ").split():
        url = part.rstrip("/")
        if url and url not in urls:
            urls.append(url)
    return urls


class Replicas:
    """The URLs of one service's processes, and which of them refused a connection lately."""

    def __init__(self, urls: Sequence[str], rest_seconds: float = REST_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if not urls:
            raise ValueError("at least one URL is needed")
        self.urls = list(urls)
        self.rest_seconds, self.clock = rest_seconds, clock
        self._resting_until: dict[str, float] = {}
        self._turn = itertools.count()

    @classmethod
    def parse(cls, value: str, **kwargs: float) -> Replicas:
        """The replicas of a setting such as `http://a:5005,http://b:5005`."""
        urls = split_urls(value)
        if not urls:
            raise ValueError(f"no URL in {value!r}")
        return cls(urls, **kwargs)  # type: ignore[arg-type]

    @property
    def first(self) -> str:
        return self.urls[0]

    def order(self, key: str | None = None) -> list[str]:
        """Every replica once: the key's own (or the next in turn) first, resting ones last."""
        start = zlib.crc32(key.encode("utf-8")) if key is not None else next(self._turn)
        start %= len(self.urls)
        ring = self.urls[start:] + self.urls[:start]
        now = self.clock()
        return sorted(ring, key=lambda url: self._resting_until.get(url, 0.0) > now)  # stable: ring order kept

    def refused(self, url: str) -> None:
        """`url` did not take a connection: it goes last for a while."""
        self._resting_until[url] = self.clock() + self.rest_seconds

    def answered(self, url: str) -> None:
        self._resting_until.pop(url, None)

    async def call(self, key: str | None, attempt: Callable[[str], Awaitable[T]],
                   retry_on: tuple[type[BaseException], ...], refusals: tuple[type[BaseException], ...] = ()
                   ) -> T:
        """`attempt(url)` on each replica in `order(key)` until one answers; a failure of a
        `retry_on` type moves on (and one of `refusals` also rests that replica), any other
        is raised at once. When every replica failed, the last failure is raised."""
        failure: BaseException | None = None
        for url in self.order(key):
            try:
                answer = await attempt(url)
            except retry_on as exc:
                if isinstance(exc, refusals):
                    self.refused(url)
                failure = exc
                continue
            self.answered(url)
            return answer
        assert failure is not None
        raise failure
