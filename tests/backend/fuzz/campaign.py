"""How much to fuzz, and what was seen: the hypothesis profiles and the campaign's report.

Profiles (FUZZ_PROFILE, default "quick"):
- quick: what `make test` runs on every change, QUICK_CASES cases per route with a fixed
  derandomised seed, so a CI failure reproduces on any machine;
- campaign: `make fuzz`, CAMPAIGN_CASES cases per route with a random seed (printed and
  written to the report; FUZZ_SEED replays one), FUZZ_CASES overrides the count of either.
  On 2 cores the campaign takes hours, so it keeps what it has done in STORE (beside the
  report, as JSON): each route's figures and the tests that passed, with the seed and commit
  they ran at. `FUZZ_RESUME=1 make fuzz` runs only the tests not done yet; the report covers
  every route of the store. FUZZ_SHARD=1/2 and 2/2 run two halves side by side (one per core).
A route with fewer distinct inputs than its count (GET /api/units has one) runs until
hypothesis has tried them all; the report shows the cases actually run.

What counts as a failure, for every route and channel: a 5xx, no answer within
REQUEST_TIMEOUT seconds (a hang), or an answer that contradicts the OpenAPI document.
"""
from __future__ import annotations

import fcntl
import json
import os
import platform as host
import random
import subprocess
import time
from collections import Counter
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from hypothesis import HealthCheck, settings

QUICK_CASES = 200
CAMPAIGN_CASES = 10_000
REQUEST_TIMEOUT = 10.0  # seconds; the slowest honest answer (argon2 login, Excel export) takes well under 1
PROFILE = os.environ.get("FUZZ_PROFILE", "quick")
DATABASE = os.environ.get("FUZZ_DATABASE", "sqlite")
REPORT = Path(os.environ.get("FUZZ_REPORT", "reports/fuzz.md"))
STORE = REPORT.with_suffix(".json")
RESUME = os.environ.get("FUZZ_RESUME", "") not in ("", "0")
SHARD = os.environ.get("FUZZ_SHARD", "")  # "k/n": run one of n slices (one per core), sharing STORE
SEED = int(os.environ["FUZZ_SEED"]) if os.environ.get("FUZZ_SEED") else random.SystemRandom().randrange(2**32)

_common = {"deadline": None, "database": None, "suppress_health_check": list(HealthCheck),
           "print_blob": True}
settings.register_profile("quick", max_examples=int(os.environ.get("FUZZ_CASES", QUICK_CASES)),
                          derandomize=True, **_common)
settings.register_profile("campaign", max_examples=int(os.environ.get("FUZZ_CASES", CAMPAIGN_CASES)), **_common)
FUZZ = settings.get_profile(PROFILE)


@dataclass
class RouteStats:
    """What one route (or channel payload) answered during the run."""

    cases: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0
    seed: int = SEED
    commit: str = ""
    finished: str = ""

    def as_json(self) -> dict:
        return {"cases": self.cases, "statuses": dict(self.statuses), "failures": self.failures[:5],
                "seconds": round(self.seconds, 1), "seed": self.seed, "commit": self.commit,
                "finished": self.finished}

    @classmethod
    def from_json(cls, data: dict) -> RouteStats:
        return cls(int(data["cases"]), Counter(data["statuses"]), list(data["failures"]), float(data["seconds"]),
                   int(data["seed"]), str(data["commit"]), str(data["finished"]))


def source_commit() -> str:
    """The checkout's commit, with \"+\" when tracked files have changes (also make bench's)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True,
                               text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+" if dirty else "")


# The code under test is what this process loaded: its commit, with "+" when the tree had changes.
COMMIT = source_commit()


@dataclass
class Store:
    """The campaign so far: routes' figures and the tests done (STORE)."""

    routes: dict[str, RouteStats] = field(default_factory=dict)
    done: list[str] = field(default_factory=list)

    @classmethod
    def load(cls) -> Store:
        if not STORE.exists():
            return cls()
        data = json.loads(STORE.read_text(encoding="utf-8"))
        return cls({k: RouteStats.from_json(v) for k, v in data["routes"].items()}, list(data["done"]))

    def save(self) -> None:
        STORE.parent.mkdir(parents=True, exist_ok=True)
        STORE.write_text(json.dumps({"routes": {k: v.as_json() for k, v in sorted(self.routes.items())},
                                     "done": sorted(set(self.done))}, ensure_ascii=False, indent=1) + "\n",
                         encoding="utf-8")

    def took(self, test: str, ran: dict[str, RouteStats]) -> None:
        """A test passed: keep it and the figures of the routes it ran. Shards of one campaign
        (FUZZ_SHARD) share the file: each merges under a lock, so none overwrites another's."""
        commit, now = COMMIT, f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
        STORE.parent.mkdir(parents=True, exist_ok=True)
        with open(STORE.with_suffix(".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            current = Store.load()
            for label, stats in ran.items():
                stats.commit, stats.finished = stats.commit or commit, stats.finished or now
                current.routes[label] = stats
            current.done.append(test)
            current.save()
            self.routes, self.done = current.routes, current.done


def shard_of(items: list, shard: str) -> list:
    """FUZZ_SHARD=k/n: the k-th of n interleaved slices of the tests (k from 1)."""
    k, n = (int(x) for x in shard.split("/"))
    return [item for i, item in enumerate(items) if i % n == k - 1]


@dataclass
class Record:
    routes: dict[str, RouteStats] = field(default_factory=dict)
    started: datetime = field(default_factory=lambda: datetime.now(UTC))

    def route(self, label: str) -> RouteStats:
        return self.routes.setdefault(label, RouteStats())

    def saw(self, label: str, status: int | str) -> None:
        stats = self.route(label)
        stats.cases += 1
        stats.statuses[str(status)] += 1

    def failed(self, label: str, what: str) -> None:
        self.route(label).failures.append(what[:2000])

    def markdown(self) -> str:
        """The report: per route the cases run, the statuses seen and the failures."""
        routes = self.routes
        packages = ", ".join(f"{name} {version(name)}" for name in ("schemathesis", "hypothesis", "aiohttp"))
        total = sum(s.cases for s in routes.values())
        failing = [label for label, s in routes.items() if s.failures]
        lines = [
            "# Fuzz campaign (issue #9, hostile input at scale)",
            "",
            f"- profile: `{PROFILE}`, {FUZZ.max_examples} cases asked per route, database: {DATABASE}; "
            f"this run's seed `{SEED}`" + (" (derandomised)" if FUZZ.derandomize else "")
            + " (a resumed campaign's rows name the seed and commit they ran at)",
            f"- this run started {self.started:%Y-%m-%d %H:%M} UTC, "
            f"{(datetime.now(UTC) - self.started).total_seconds() / 60:.0f} minutes",
            f"- Python {host.python_version()}, {packages}",
            f"- {len(routes)} routes and channel payloads, {total} cases, "
            f"{len(failing)} with failures" + (f": {', '.join(failing)}" if failing else ""),
            "",
            "Failure: a 5xx, no answer within "
            f"{REQUEST_TIMEOUT:.0f} s, or an answer the OpenAPI document does not describe.",
            "",
            "| route | cases | cases/s | statuses seen | failures | seed | commit |",
            "|---|---:|---:|---|---:|---|---|",
        ]
        for label, s in sorted(routes.items()):
            seen = ", ".join(f"{code} ×{n}" for code, n in sorted(s.statuses.items()))
            rate = f"{s.cases / s.seconds:.0f}" if s.seconds else ""
            lines.append(f"| `{label}` | {s.cases} | {rate} | {seen} | {len(s.failures)} | {s.seed} | "
                         f"{s.commit or COMMIT} |")
        for label in failing:
            lines += ["", f"## {label}", ""]
            lines += [f"```\n{what}\n```" for what in routes[label].failures[:5]]
        return "\n".join(lines) + "\n"


RECORD = Record()


def expect(label: str, status: int, allowed: Collection[int], what: str) -> None:
    """Record a channel's answer; a 5xx, or a status outside `allowed`, fails with `what` to reproduce."""
    RECORD.saw(label, status)
    if status >= 500 or status not in allowed:
        RECORD.failed(label, f"{status}: {what[:1500]}")
        raise AssertionError(f"{label}: {status} for {what[:1500]}")


@contextmanager
def timed(label: str) -> Iterator[None]:
    """Count the wall time of a route's cases (the report's cases/s)."""
    started = time.monotonic()
    try:
        yield
    finally:
        RECORD.route(label).seconds += time.monotonic() - started
