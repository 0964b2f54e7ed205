"""Fault tests (issue #9): the real processes, killed and cut off from their dependencies.

Each test asserts counts (filed, told, kept, delivered, in the database) and records them
here; the run's summary prints them, so a CI log shows what each fault cost."""
from __future__ import annotations

import pytest

COUNTS: dict[str, dict[str, int]] = {}


def record(fault: str, **counts: int) -> None:
    COUNTS.setdefault(fault, {}).update(counts)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if COUNTS:
        terminalreporter.section("faults: what each fault cost")
        for fault, counts in COUNTS.items():
            terminalreporter.write_line(f"{fault}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
