"""The benchmark's plots, as PNG files beside its report (matplotlib, already in Rasa's pins)."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no screen: files only

import matplotlib.pyplot as plt  # noqa: E402


def latency_against_load(results: dict, path: Path) -> None:
    points = results["open_loop"]
    offered = [p["offered_per_second"] for p in points]
    fig, ax = plt.subplots(figsize=(6.4, 4))
    for key, label in (("p50_ms", "p50"), ("p95_ms", "p95"), ("p99_ms", "p99")):
        ax.plot(offered, [p[key] for p in points], marker="o", label=label)
    ax.set_xlabel("offered load, customer messages per second (open loop)")
    ax.set_ylabel("turn latency, ms (log)")
    ax.set_yscale("log")
    parse = results["parse_saturated"]["per_second"]
    ax.set_title(f"Whole path through the router; bare parse {parse:.0f}/s in the same run", fontsize=9)
    ax.axhline(300, color="grey", linestyle=":", label="p95 target 300 ms")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def cost_against_length(results: dict, path: Path) -> None:
    turns = results["length"]
    fig, ax = plt.subplots(figsize=(6.4, 4))
    for kind, label in (("action", "outage question (custom action)"), ("answer", "enquiry (domain answer)")):
        mine = [t for t in turns if t["kind"] == kind and t["ok"]]
        ax.plot([t["index"] + 1 for t in mine], [t["ms"] for t in mine], marker=".", label=label)
    ax.set_xlabel("turn of one web chat conversation")
    ax.set_ylabel("turn latency, ms")
    ax.set_ylim(bottom=0)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
