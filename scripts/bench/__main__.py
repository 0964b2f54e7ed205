"""`make bench` (`python -m scripts.bench`): reports/bench/report.md, results.json and plots.

Sections: the whole path (processes started as `make run` starts them, customers through the
backend's doors, the bare parse in the same run) and the ticket platform alone (intake, the
deadline sweep, place resolution; SQLite, and PostgreSQL when reachable).

BENCH_SECONDS shortens or lengthens each whole-path measurement (default 40);
BENCH_ONLY=whole or BENCH_ONLY=platform runs one section; the other is kept from the last report.
BENCH_TICKETS / BENCH_OPEN_TICKETS / BENCH_RATE_SECONDS size the platform's scale run
(default 1,000,000 tickets, 10,000 open, 10 s).
"""
from __future__ import annotations

import asyncio
import json
import os
import tempfile
from dataclasses import replace
from pathlib import Path

from backend.settings import ROOT
from scripts.bench import platform_costs, plots, report, whole_path
from scripts.bench.machine import describe, line

OUT = ROOT / "reports" / "bench"
PLATFORM_HEADING = "## The ticket platform alone"


def main() -> None:
    only = os.environ.get("BENCH_ONLY", "")
    plan = whole_path.Plan()
    if os.environ.get("BENCH_SECONDS"):
        seconds = float(os.environ["BENCH_SECONDS"])
        plan = replace(plan, seconds=seconds, warmup_seconds=min(plan.warmup_seconds, seconds))
    OUT.mkdir(parents=True, exist_ok=True)
    machine = describe()
    results: dict = {"machine": machine}
    lines = ["# Benchmarks", "", f"Machine: {line(machine)}.", "",
             "Every speed below is also given as a ratio to a reference measured in the same run "
             "(the bare parse, or GET /readyz), which holds on another machine; the absolute "
             "figures only on this one.", ""]
    if only in ("", "whole"):
        with tempfile.TemporaryDirectory(prefix="bench-") as folder:
            results["whole_path"] = whole_path.run(Path(folder), plan)
        plots.latency_against_load(results["whole_path"], OUT / "latency_vs_load.png")
        plots.cost_against_length(results["whole_path"], OUT / "length.png")
        lines += report.whole_path(results["whole_path"])
    elif (OUT / "report.md").exists():  # the whole path not run: its section of the last report stays
        lines += _section(PLATFORM_HEADING, before=True)
        results.update({k: v for k, v in _last_results().items() if k == "whole_path"})
    if only in ("", "platform"):
        lines += asyncio.run(platform_costs.measure())
    elif (OUT / "report.md").exists():
        lines += _section(PLATFORM_HEADING, before=False)
    (OUT / "results.json").write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    text = "\n".join(lines)
    (OUT / "report.md").write_text(text, encoding="utf-8")
    print(text)


KEPT = "*Kept from an earlier run: "


def _section(heading: str, *, before: bool) -> list[str]:
    """The last report's lines before `heading` (without its header) or from it on, marked with
    the machine line of the run that measured them."""
    text = (OUT / "report.md").read_text(encoding="utf-8")
    head, found, tail = text.partition(heading)
    if before:
        parts = head.split("\n## ", 1)
        lines = ("## " + parts[1].rstrip("\n")).splitlines() if len(parts) == 2 else []
    else:
        lines = (found + tail).splitlines() if found else []
    if lines and not (len(lines) > 2 and lines[2].startswith(KEPT)):
        measured = next((line.removeprefix("Machine: ").rstrip(".") for line in head.splitlines()
                         if line.startswith("Machine: ")), "machine not recorded")
        lines[1:1] = ["", f"{KEPT}{measured}.*"]
    return [*lines, ""] if lines else []


def _last_results() -> dict:
    path = OUT / "results.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


if __name__ == "__main__":
    main()
