"""The machine a benchmark ran on, printed with every figure (issue #10)."""
from __future__ import annotations

import os
import platform
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from tests.backend.fuzz.campaign import source_commit


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float | None:
    try:
        kib = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal:"))
    except (OSError, StopIteration):
        return None
    return round(kib / 1024**2, 1)


def describe() -> dict:
    return {"started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "cpu": _cpu_model(),
            "cores": os.cpu_count(), "memory_gib": _memory_gib(), "os": f"{platform.system()} {platform.release()}",
            "python": platform.python_version(), "rasa": version("rasa"), "aiohttp": version("aiohttp"),
            "load_average": [round(x, 2) for x in os.getloadavg()], "commit": source_commit()}


def line(machine: dict) -> str:
    return (f"{machine['cpu']}, {machine['cores']} cores, {machine['memory_gib']} GiB, {machine['os']}; "
            f"Python {machine['python']}, Rasa {machine['rasa']}, aiohttp {machine['aiohttp']}; "
            f"load average at start {' / '.join(map(str, machine['load_average']))}; "
            f"commit {machine['commit']}; {machine['started']}")
