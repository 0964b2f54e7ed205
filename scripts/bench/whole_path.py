"""The whole path measured: customers through the backend's router to Rasa, the action server
and the backend's database, against Rasa's bare parse in the same run (issue #10).

Every figure of a run comes from one stack on one machine, so the ratio
turns per second / parses per second holds on any machine; absolute numbers only on this one.
"""
from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass
from pathlib import Path

from scripts.bench import load
from scripts.bench.customers import Turn
from scripts.bench.stack import BenchStack, running


@dataclass(frozen=True)
class Plan:
    """How long each measurement runs; `make bench` uses the defaults."""

    seconds: float = 40.0
    warmup_seconds: float = 15.0
    customers: int = 16
    open_rates: tuple[float, ...] = (10.0, 20.0, 30.0, 40.0, 50.0)
    long_turns: int = 50
    seed: int = 95598


def _turn_figures(turns: list[Turn], seconds: float) -> dict:
    found = load.figures_of(turns, seconds).as_json()
    for transport in ("web", "ivr"):
        found[transport] = load.figures_of(turns, seconds, lambda t, kind=transport: t.transport == kind).as_json()
    return found


async def measure(stack: BenchStack, plan: Plan) -> dict:
    rng = random.Random(plan.seed)
    account = stack.demo_account()
    results: dict = {"customers": plan.customers, "ready_seconds": {k: round(v, 1) for k, v in stack.ready_seconds.items()}}
    # Warm-up: every flow once (jieba, TensorFlow graphs, SQLAlchemy caches), then load.
    await load.closed_loop(stack, 4, plan.warmup_seconds, rng, account)
    results["parse_one_client"] = (await load.parses(stack, 1, plan.seconds / 2, rng)).as_json()
    saturated = await load.parses(stack, plan.customers, plan.seconds, rng)
    results["parse_saturated"] = saturated.as_json()
    turns = await load.closed_loop(stack, 1, plan.seconds, rng, account)
    results["one_customer"] = _turn_figures(turns, plan.seconds)
    cpu_before = stack.cpu_seconds()
    turns = await load.closed_loop(stack, plan.customers, plan.seconds, rng, account)
    results["closed_loop"] = _turn_figures(turns, plan.seconds)
    # Where a turn's CPU goes: each process's CPU seconds per answered turn at saturation.
    answered = max(1, results["closed_loop"]["count"])
    results["cpu_ms_per_turn"] = {name: round((used - cpu_before[name]) / answered * 1000, 1)
                                  for name, used in stack.cpu_seconds().items()}
    results["ratio"] = round(results["closed_loop"]["per_second"] / saturated.rate, 3) if saturated.rate else None
    results["open_loop"] = []
    for rate in plan.open_rates:
        turns = await load.open_loop(stack, rate, plan.seconds, rng, account)
        results["open_loop"].append({"offered_per_second": rate, **_turn_figures(turns, plan.seconds)})
    long = await load.length(stack, plan.long_turns, rng)
    results["length"] = [{"index": t.index, "kind": t.flow, "ms": round(t.seconds * 1000, 1), "ok": t.ok}
                         for t in long]
    results["rss_mib"] = {k: round(v) for k, v in stack.rss_mib().items()}
    return results


def run(folder: Path, plan: Plan) -> dict:
    began = time.perf_counter()
    with running(folder) as stack:
        results = asyncio.run(measure(stack, plan))
    results["wall_seconds"] = round(time.perf_counter() - began)
    return results
